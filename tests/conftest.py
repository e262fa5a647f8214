"""Shared fixtures: the real catalogs, a real action server and the trained model.

The model is loaded once per test session with Agent.load, as Rasa's own
server does; the action server is a real `rasa_sdk` process on a free port.
Conversations are kept in our tracker store on an SQLite file, with a window
small enough that every conversation longer than a few turns is cut
(bot.storage.window): every conversation test also tests that a cut changes
no answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import launch
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import free_port, wait_for_port
from tests.sms_client import SmsSender

MODEL_PATH = launch.MODEL
# The anonymous counts the tests' conversations write (bot/analytics) go to a
# throwaway database, in this process and in every server the tests start.
os.environ.setdefault(
    "ANALYTICS_DB_URL", f"sqlite:///{Path(tempfile.mkdtemp(prefix='kyr-test-analytics-')) / 'analytics.db'}"
)
# Settings of the live server the channel tests talk to.
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-conversation-secret-0123456789"
PHONE = "+12135550123"
SPANISH_LINE = "+12135550199"
OPERATOR_NUMBER = "+12135550311"


@pytest.fixture(scope="session")
def reports_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The reports database the test action server writes to."""
    return f"sqlite:///{tmp_path_factory.mktemp('reports') / 'reports.db'}"


@pytest.fixture
def reports_db(reports_db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Reports from this test go to the session's reports database."""
    monkeypatch.setenv("REPORTS_DB_URL", reports_db_url)
    return reports_db_url


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory: pytest.TempPathFactory, reports_db_url: str) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("actions") / "action-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            launch.action_server_command(port),
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=launch.process_environment({"REPORTS_DB_URL": reports_db_url}),
        )
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}/webhook"
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def event_loop_for_agent() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


# About 3 to 5 turns after each cut: the window the conversation tests run with.
TEST_WINDOW = {"window_keep_events": 24, "window_max_events": 40, "window_hard_max_events": 80}


def windowed_store(path: Path, **window: int) -> Any:
    """Our tracker store on an SQLite file at `path`, with the window's sizes given."""
    from bot.storage.stores import TRACKER_STORE_URL_SETTING, ConfiguredTrackerStore

    with pytest.MonkeyPatch.context() as env:
        env.setenv(TRACKER_STORE_URL_SETTING, f"sqlite:///{path}")
        store = ConfiguredTrackerStore()
    for name, size in window.items():
        setattr(store, name, size)
    return store


@pytest.fixture(scope="session")
def agent(
    action_server_url: str,
    event_loop_for_agent: asyncio.AbstractEventLoop,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` (make test does).")
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    asyncio.set_event_loop(event_loop_for_agent)
    store = windowed_store(tmp_path_factory.mktemp("trackers") / "trackers.db", **TEST_WINDOW)
    return Agent.load(
        str(MODEL_PATH),
        generator=EndpointConfig(type=launch.NLG_TYPE),
        action_endpoint=EndpointConfig(url=action_server_url),
        tracker_store=store,
    )


class Conversation:
    """One person texting the bot: send() returns the reply texts."""

    counter = 0

    def __init__(self, agent: Any, loop: asyncio.AbstractEventLoop) -> None:
        Conversation.counter += 1
        self.sender_id = f"test-{Conversation.counter}-{time.monotonic_ns()}"
        self.agent = agent
        self.loop = loop

    def send(self, text: str) -> list[str]:
        replies = self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender_id))
        return [reply.get("text") or "" for reply in replies or []]

    def say(self, text: str) -> str:
        """The whole reply; Rasa splits a text on blank lines into several messages."""
        return "\n\n".join(self.send(text))

    def tracker(self) -> Any:
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender_id))

    def slot(self, name: str) -> Any:
        return self.tracker().get_slot(name)


@pytest.fixture
def conversation(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> Conversation:
    return Conversation(agent, event_loop_for_agent)


@pytest.fixture
def new_conversation(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> Any:
    return lambda: Conversation(agent, event_loop_for_agent)


def rendered(key: str, language: str, draft_notice: bool = False, **kwargs: Any) -> str:
    """A response's text as the person gets it. `draft_notice`: it is the first
    message of the conversation in that language, so a draft translation says so."""
    from bot.language.registry import language_settings
    from bot.rendering.renderer import renderer

    text = renderer().render(key, language, **kwargs).text
    if draft_notice and language_settings().languages[language].is_draft:
        notice = renderer().render("draft_notice", language, kwargs.get("variant")).text
        text = f"{text}\n{notice}"
    return text


@pytest.fixture
def expected_text() -> Any:
    return rendered


@pytest.fixture
def data_dir_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ the test may change; caches are reset around it."""

    target = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", target)
    monkeypatch.setenv("KYR_DATA_DIR", str(target))
    reset_caches()
    yield target
    monkeypatch.undo()
    reset_caches()


def reset_caches() -> None:
    from bot.caches import clear_all

    clear_all()


class LiveServer:
    def __init__(
        self, base_url: str, db_path: Path, log_path: Path, process: subprocess.Popen, tracker_url: str
    ) -> None:
        self.base_url = base_url
        self.db_path = db_path
        self.log_path = log_path
        self.process = process
        self.tracker_url = tracker_url

    def stored_bytes(self) -> bytes:
        """Everything the tracker store wrote: the SQLite file and its write-ahead log."""
        files = sorted(self.db_path.parent.glob(self.db_path.name + "*"))
        assert self.db_path in files
        return b"".join(path.read_bytes() for path in files)

    def wait_ready(self) -> None:
        wait_for_port(int(self.base_url.rsplit(":", 1)[1]), self.process, timeout_s=120)

    def sender(self, phone: str = PHONE, to: str = "+12135550000") -> SmsSender:
        return SmsSender(self.base_url, AUTH_TOKEN, phone, to)

    def events(self, sender_id: str) -> list[tuple[str, str]]:
        from sqlalchemy import create_engine, text

        with create_engine(self.tracker_url).connect() as db:
            query = text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id")
            return [tuple(row) for row in db.execute(query, {"s": sender_id})]


@contextlib.contextmanager
def running_server(
    folder: Path,
    action_server_url: str,
    extra_env: dict[str, str] | None = None,
    wait: bool = True,
    credentials: Path = launch.CREDENTIALS,
) -> Iterator[LiveServer]:
    """`rasa run` with both Twilio channels, an SQLite tracker store and INFO logs."""
    if not MODEL_PATH.exists():
        pytest.fail("No trained model: run `make train`.")
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "trackers.db"
    endpoints = launch.write_endpoints(folder / "endpoints.yml", action_server_url)
    # A private copy of data/ in which the City's Spanish line presets Spanish.
    data_dir = folder / "data"
    shutil.copytree(PROJECT_ROOT / "data", data_dir)
    for name in ("channels.yml", "voice.yml"):
        path = data_dir / name
        preset = f'dialed_number_languages: {{"{SPANISH_LINE}": es}}'
        path.write_text(path.read_text(encoding="utf-8").replace("dialed_number_languages: {}", preset))
    port = free_port()
    log_path = folder / "rasa.log"
    env = launch.process_environment(
        {
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "CONVERSATION_ID_SECRET": SECRET,
            "KYR_DATA_DIR": str(data_dir),
            "LOG_LEVEL": "INFO",
            "PUBLIC_BASE_URL": "",
            "VOICE_OPERATOR_NUMBER": OPERATOR_NUMBER,
            "TRACKER_STORE_URL": f"sqlite:///{db_path}",
            **(extra_env or {}),
        }
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            launch.rasa_server_command(MODEL_PATH, port, endpoints, credentials=credentials),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            server = LiveServer(
                f"http://127.0.0.1:{port}", db_path, log_path, process, env["TRACKER_STORE_URL"]
            )
            if wait:
                server.wait_ready()
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, action_server_url: str) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("live"), action_server_url) as server:
        yield server


@pytest.fixture(scope="module")
def server_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The same server, its action server down (nothing listens on that port)."""
    with running_server(
        tmp_path_factory.mktemp("no-actions"), f"http://127.0.0.1:{free_port()}/webhook"
    ) as server:
        yield server

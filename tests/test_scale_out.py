"""Two Rasa server processes sharing PostgreSQL (conversations) and Redis (locks).

The topology of docker-compose.yml, proven without Docker on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.twilio_signing import signed_form
from bot.privacy.ids import conversation_id
from bot.storage.local_services import INSTALL_ADVICE, missing_services, postgres_server, redis_server
from tests.conftest import AUTH_TOKEN, SECRET, LiveServer, running_server
from tests.sms_client import WEBHOOK_PATH

LOAD_SECONDS = 20  # the fault tests through nginx are in tests/test_topology.py
CONVERSATIONS = 50
TURNS = ["hola", "2", "mas", "menu", "6", "gracias", "ICE is at my door", "thanks"]


REQUIRE_SERVICES_SETTING = "KYR_REQUIRE_SERVICES"


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, str]]:
    missing = missing_services()
    if missing and not os.environ.get(REQUIRE_SERVICES_SETTING):
        # A non-root user without them can still run the rest of `make test`;
        # CI sets KYR_REQUIRE_SERVICES, so there a missing server fails.
        pytest.skip(f"{' and '.join(missing)} not installed: {INSTALL_ADVICE}")
    with postgres_server() as tracker_url, redis_server() as lock_url:
        yield {"TRACKER_STORE_URL": tracker_url, "LOCK_STORE_URL": lock_url}


@contextlib.contextmanager
def two_servers(tmp: Path, action_server_url: str, stores: dict[str, str]) -> Iterator[list[LiveServer]]:
    # Both start at once; each is waited for afterwards.
    with (
        running_server(tmp / "a", action_server_url, stores, wait=False) as a,
        running_server(tmp / "b", action_server_url, stores, wait=False) as b,
    ):
        a.wait_ready()
        b.wait_ready()
        yield [a, b]


async def _send(session: aiohttp.ClientSession, server: LiveServer, phone: str, text: str) -> str:
    url = server.base_url + WEBHOOK_PATH
    params = {
        "From": phone,
        "To": "+12135550000",
        "Body": text,
        "NumMedia": "0",
        "MessageSid": f"SM{random.getrandbits(128):032x}",
    }
    body, headers = signed_form(AUTH_TOKEN, url, params)
    async with session.post(url, data=body, headers=headers) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.text()


def user_texts(server: LiveServer, phone: str) -> list[str]:
    events = server.events(conversation_id(phone, SECRET.encode(), "sms"))
    return [json.loads(data)["text"] for name, data in events if name == "user"]


def test_fifty_conversations_for_a_minute_across_two_processes(
    tmp_path: Path, action_server_url: str, stores: dict[str, str]
) -> None:
    with two_servers(tmp_path, action_server_url, stores) as servers:
        sent: dict[str, list[str]] = {}
        replies: dict[str, int] = {}

        async def conversation(number: int, deadline: float, session: aiohttp.ClientSession) -> None:
            phone = f"+1310777{number:04d}"
            sent[phone], replies[phone] = [], 0
            turn = 0
            while time.monotonic() < deadline:
                text = TURNS[turn % len(TURNS)]
                body = await _send(session, servers[turn % 2], phone, text)  # alternate processes
                sent[phone].append(text)
                replies[phone] += body.count("<Message>")
                turn += 1

        async def load() -> None:
            deadline = time.monotonic() + LOAD_SECONDS
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                await asyncio.gather(*(conversation(n, deadline, session) for n in range(CONVERSATIONS)))

        asyncio.run(load())
        total = sum(len(texts) for texts in sent.values())
        assert total > CONVERSATIONS * 4, f"only {total} messages in {LOAD_SECONDS} s"
        for phone, texts in sent.items():
            assert replies[phone] == len(texts), f"{phone}: {replies[phone]} replies to {len(texts)} messages"
            # Every turn stored once, in the order sent: nothing lost, nothing duplicated.
            assert user_texts(servers[0], phone) == texts
        for server in servers:
            log = server.log_path.read_text(encoding="utf-8", errors="ignore")
            assert "LockError" not in log and "Traceback" not in log


def test_the_window_and_its_snapshot_on_postgresql(
    stores: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage.stores import ConfiguredTrackerStore
    from tests.test_window import long_conversation_on

    monkeypatch.setenv("TRACKER_STORE_URL", stores["TRACKER_STORE_URL"])
    store = ConfiguredTrackerStore()
    store.window_keep_events, store.window_max_events = 10, 20
    sizes = long_conversation_on(store, f"pg-{time.time_ns()}", 60)
    assert max(sizes) <= 20 + 5 + 4


def test_a_restart_of_the_whole_stack_resumes_language_and_step(
    tmp_path: Path, action_server_url: str, stores: dict[str, str], reports_db_url: str
) -> None:
    phone = "+13107770998"

    async def send_all(server: LiveServer, texts: list[str]) -> list[str]:
        async with aiohttp.ClientSession() as session:
            return [await _send(session, server, phone, text) for text in texts]

    with two_servers(tmp_path / "first", action_server_url, stores) as (a, _):
        asyncio.run(send_all(a, ["quiero reportar a la migra", "el parque Echo"]))
    with two_servers(tmp_path / "second", action_server_url, stores) as (_, b):
        # The form goes on where it was, in Spanish: the next question is "when".
        reply = asyncio.run(send_all(b, ["ahorita"]))[0]
    assert "¿Más o menos cuántos agentes" in reply or "Mas o menos cuantos agentes" in reply


def test_reports_on_postgresql(stores: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.storage import reports

    monkeypatch.setenv("REPORTS_DB_URL", stores["TRACKER_STORE_URL"])
    reference = reports.save_report(
        channel="twilio",
        language="en",
        location="Grand Park",
        when_seen="now",
        agents_vehicles="4",
        masks_identification="masks",
        details=None,
        callback_number="+12135550100",
    )
    found = {r.reference: r for r in reports.list_reports()}
    assert found[reference].callback_number == "+12135550100"
    assert reports.export(list(found.values()), "json").count(reference) == 1


def test_analytics_counts_from_two_processes_at_once_on_postgresql(stores: dict[str, str]) -> None:
    import subprocess
    import sys
    from datetime import datetime, timedelta

    from bot.analytics import counters
    from bot.content.hours import CITY_TIME
    from bot.settings import PROJECT_ROOT

    language = f"t{time.time_ns() % 10**8}"  # this test's own cells
    script = (
        "from bot.analytics import counters\n"
        f"for _ in range(300): counters.count('fallback', language='{language}', channel='sms')\n"
        "counters.flush()\n"
    )
    env = {**os.environ, counters.URL_SETTING: stores["TRACKER_STORE_URL"], "PYTHONPATH": str(PROJECT_ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(2)]
    assert [writer.wait(timeout=180) for writer in writers] == [0, 0]
    os.environ[counters.URL_SETTING], before = (
        stores["TRACKER_STORE_URL"],
        os.environ.get(counters.URL_SETTING),
    )
    try:
        today = datetime.now(CITY_TIME).date()
        window = (today - timedelta(days=1), today + timedelta(days=1))  # midnight may pass meanwhile
        cells = [c for c in counters.counts(*window) if c["language"] == language]
    finally:
        if before is None:
            os.environ.pop(counters.URL_SETTING)
        else:
            os.environ[counters.URL_SETTING] = before
    assert {c["metric"] for c in cells} == {"fallback"} and sum(c["count"] for c in cells) == 600

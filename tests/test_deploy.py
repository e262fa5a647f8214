"""The shipped public edge, deploy/nginx.conf, run in the real nginx.

Only Twilio's webhooks and /health may reach Rasa; the REST channel and
Rasa's HTTP API (conversations, model) must answer 404 from nginx itself. The
two Rasa servers are replaced by one recording stub on loopback.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import launch
from bot.local_topology import nginx, nginx_binary
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import INSTALL_ADVICE, free_port, wait_for_port
from tests.conftest import AUTH_TOKEN, SECRET, running_server
from tests.sms_client import SmsSender

IMAGE_UID = 10001  # the Dockerfile's USER


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        Recorder.seen.append((self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = f"upstream {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # http.server's names for its handlers.
    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

    def log_message(self, *_: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if nginx_binary() is None:
        if os.environ.get("KYR_REQUIRE_SERVICES"):
            pytest.fail(f"nginx is not installed: {INSTALL_ADVICE}")
        pytest.skip(f"nginx is not installed: {INSTALL_ADVICE}")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    # The shipped file, with the compose host names and port swapped for loopback.
    with nginx(tmp_path_factory.mktemp("nginx"), [upstream.server_port]) as url:
        yield url
    upstream.shutdown()


def request(url: str, method: str = "POST") -> tuple[int, str]:
    data = b"From=%2B13105550100&Body=hi" if method == "POST" else None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method=method), timeout=10
        ) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.parametrize(
    "path", ["/webhooks/twilio/webhook", "/webhooks/twilio_voice/webhook", "/webhooks/twilio_voice/status"]
)
def test_twilio_webhooks_reach_rasa(edge: str, path: str) -> None:
    assert request(edge + path) == (200, f"upstream {path}")


def test_health_asks_a_server_whether_it_is_ready(edge: str) -> None:
    assert request(edge + "/health", "GET") == (200, "upstream /webhooks/twilio/ready")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/webhooks/rest/webhook"),
        ("GET", "/webhooks/rest/ready"),
        ("GET", "/webhooks/twilio/ready"),
        ("POST", "/model/parse"),
        ("GET", "/conversations/sms-1/tracker"),
        ("POST", "/conversations/sms-1/messages"),
        ("PUT", "/model"),
        ("GET", "/status"),
        ("GET", "/"),
        ("GET", "/webhooks/twilio/webhook"),
        ("POST", "/webhooks/twilio/webhook/../../model/parse"),
        ("POST", "/webhooks/twilio/webhookx"),
        ("POST", "/health"),
    ],
)
def test_nothing_else_leaves_the_edge(edge: str, method: str, path: str) -> None:
    before = len(Recorder.seen)
    status, _ = request(edge + path, method)
    assert status in (403, 404), (method, path, status)
    assert len(Recorder.seen) == before, Recorder.seen[before:]


# --- the compose file and the image, read as a deploying engineer would ------------------------

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SECRETS = (
    "TWILIO_AUTH_TOKEN",
    "CONVERSATION_ID_SECRET",
    "PUBLIC_BASE_URL",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
)


def compose_config(folder: Path, settings: dict[str, str]) -> subprocess.CompletedProcess:
    """`docker-compose config`: the file as Docker reads it, variables filled in (no daemon needed)."""
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("KYR_REQUIRE_SERVICES"):
            pytest.fail(f"docker-compose is not installed: {INSTALL_ADVICE}")
        pytest.skip(f"docker-compose is not installed: {INSTALL_ADVICE}")
    shutil.copy(PROJECT_ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    (folder / ".env").touch()
    env = {"PATH": os.environ["PATH"], **settings}
    return subprocess.run([tool, "config"], cwd=folder, env=env, capture_output=True, text=True, timeout=60)


def test_compose_reads_with_every_secret_and_names_each_missing_one(tmp_path: Path) -> None:
    settings = {name: f"value-of-{name.lower()}" for name in SECRETS}
    settings["PUBLIC_BASE_URL"] = "https://kyr.lacity.example"
    complete = compose_config(tmp_path, settings)
    assert complete.returncode == 0, complete.stderr
    rendered = yaml.safe_load(complete.stdout)
    assert rendered["services"]["rasa-1"]["environment"]["TWILIO_AUTH_TOKEN"] == "value-of-twilio_auth_token"
    for name in SECRETS:
        missing = compose_config(tmp_path, {k: v for k, v in settings.items() if k != name})
        assert missing.returncode != 0 and f"set {name}" in missing.stderr, (name, missing.stderr)


def test_only_nginx_is_published() -> None:
    published = {name for name, service in COMPOSE["services"].items() if service.get("ports")}
    assert published == {"proxy"}
    assert "edge" not in COMPOSE["services"]["actions"]["networks"]
    assert COMPOSE["networks"]["internal"] == {"internal": True}


def test_every_secret_is_required_and_has_no_default() -> None:
    text = (PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in SECRETS:
        uses = re.findall(r"\$\{" + name + r"(:?[?-])?", text)
        assert uses, f"{name} is not passed to the services"
        assert set(uses) == {":?"}, f"{name} must be required (${{{name}:?...}}), found {uses}"


def test_every_service_has_a_health_check_and_waits_for_healthy_dependencies() -> None:
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service, name
        assert service.get("restart") == "unless-stopped", name
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)


def test_the_servers_run_read_only() -> None:
    for name in ("rasa-1", "rasa-2", "actions"):
        assert COMPOSE["services"][name].get("read_only") is True, name


def test_the_image_runs_unprivileged_with_a_health_check_and_no_build_tools() -> None:
    lines = [line.strip() for line in (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) >= 2, "a build stage and a run stage"
    final = lines[stages[-1] :]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), users  # hadolint (make lint) wants it numeric
    assert any(line.startswith("HEALTHCHECK ") for line in final)
    assert not any(
        word in line for line in final for word in ("apt-get", "gcc", "build-essential", "pip install")
    )


def test_nothing_local_goes_into_the_image() -> None:
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", "var", "*.db", ".rasa", "models", ".venv", ".git"} <= ignored


def test_production_servers_load_only_the_twilio_channels() -> None:
    path = PROJECT_ROOT / "deploy" / "credentials.production.yml"
    channels = set(yaml.safe_load(path.read_text(encoding="utf-8")))
    twilio = {"bot.channels.twilio_sms.TwilioSmsInput", "bot.channels.twilio_voice.TwilioVoiceInput"}
    assert channels == twilio
    for name in ("docker-compose.yml", "Dockerfile", "deploy/k8s/rasa.yaml"):
        text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
        assert '"deploy/credentials.production.yml"' in text and '"credentials.yml"' not in text, name


def test_a_production_server_answers_twilio_and_readiness_but_has_no_rest_channel(
    tmp_path: Path, action_server_url: str
) -> None:
    production = PROJECT_ROOT / "deploy" / "credentials.production.yml"
    with running_server(tmp_path, action_server_url, credentials=production) as server:
        assert request(server.base_url + "/webhooks/twilio/ready", "GET")[0] == 200
        assert request(server.base_url + "/webhooks/rest/webhook")[0] == 404
        assert request(server.base_url + "/webhooks/rest/ready", "GET")[0] == 404
        reply = server.sender("+14245559999").send("ICE is at my door")
        assert reply.status == 200 and reply.text


def test_the_server_runs_from_an_app_directory_it_cannot_write(
    tmp_path: Path, action_server_url: str
) -> None:
    """As in the image: the app belongs to root and the server runs as another user.

    A copy of what the image holds, owned by root. Run as root (CI), the
    server runs as UID 10001, the image's user, keeping only the right to read
    and search any directory (so it can reach the interpreter under /root)
    and none to write; run as another user, the copy is made read-only. The
    server must start, be ready and answer a text without writing to it.
    """
    app = tmp_path / "app"
    for name in ("bot", "actions", "data", "locales", "deploy"):
        shutil.copytree(PROJECT_ROOT / name, app / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT_ROOT / name, app / name)
    (app / "models").mkdir()
    shutil.copy(launch.MODEL, app / "models" / "kyr.tar.gz")
    endpoints = launch.write_endpoints(tmp_path / "endpoints.yml", action_server_url)
    port = free_port()
    command = launch.rasa_server_command(
        Path("models/kyr.tar.gz"), port, endpoints, credentials="deploy/credentials.production.yml"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = launch.process_environment(
        {
            "PYTHONPATH": str(app),
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": str(home),
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "CONVERSATION_ID_SECRET": SECRET,
            "TRACKER_STORE_URL": f"sqlite:///{home / 'trackers.db'}",
            "REPORTS_DB_URL": f"sqlite:///{home / 'reports.db'}",
        }
    )
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to run the server as the image's user")
        os.chown(home, IMAGE_UID, IMAGE_UID)
        command = [
            "setpriv", f"--reuid={IMAGE_UID}", f"--regid={IMAGE_UID}", "--clear-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *command,
        ]  # fmt: skip
    else:
        subprocess.run(["chmod", "-R", "a-w", str(app)], check=True)
    log = (tmp_path / "rasa.log").open("wb")
    process = subprocess.Popen(command, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, timeout_s=120)
        base = f"http://127.0.0.1:{port}"
        assert request(base + "/webhooks/twilio/ready", "GET")[0] == 200
        reply = SmsSender(base, AUTH_TOKEN, "+14245559998").send("la migra esta en mi puerta")
        assert reply.status == 200 and reply.text
        assert not list(app.rglob("__pycache__")), "the server wrote into the app directory"
        if os.geteuid() == 0:  # setpriv exec'd the server: same process, the image's user
            status = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
            assert re.search(rf"^Uid:\s+{IMAGE_UID}\s", status, re.M), status
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        subprocess.run(["chmod", "-R", "u+w", str(app)], check=False)

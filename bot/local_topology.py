"""The shipped topology on this machine's loopback, for fault tests and benches.

nginx (Debian's package, running deploy/nginx.conf) in front of Rasa server
replicas, one action server, PostgreSQL (conversations and reports) and Redis
(locks, call state, request de-duplication): docker-compose.yml without
Docker. `make test` runs a short load and the fault tests on it
(tests/test_topology.py); `make bench` the long runs (benchmarks/topology.py);
`python -m bot topology` starts it for a person to try (`make topology`).

Only deploy/nginx.conf's compose host names and listening port are swapped
for loopback ones: the routing, retries and limits are the shipped ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot import launch
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import (
    INSTALL_ADVICE,
    free_port,
    postgres_server,
    redis_server,
    wait_for_port,
)

NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
PRODUCTION_CREDENTIALS = PROJECT_ROOT / "deploy" / "credentials.production.yml"
READY_PATH = "/webhooks/twilio/ready"
STARTUP_TIMEOUT_S = 180


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_config(folder: Path, listen_port: int, upstream_ports: list[int]) -> Path:
    """deploy/nginx.conf with loopback addresses, wrapped in a main config for a private nginx."""
    server_block = NGINX_CONF.read_text(encoding="utf-8")
    servers = re.findall(r"^\s*server rasa-\d:5005(.*)$", server_block, flags=re.MULTILINE)
    if not servers:
        raise ValueError(f"{NGINX_CONF}: no `server rasa-N:5005` lines in the upstream block")
    options = servers[0]
    loopback = "\n".join(f"    server 127.0.0.1:{port}{options}" for port in upstream_ports)
    server_block = re.sub(
        r"(?:^\s*server rasa-\d:5005.*\n)+", loopback + "\n", server_block, flags=re.MULTILINE
    )
    server_block = server_block.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {name}_temp_path {folder}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp_paths}{server_block}\n}}\n",
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def nginx(folder: Path, upstream_ports: list[int]) -> Iterator[str]:
    """The shipped edge in front of `upstream_ports`; yields its URL."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError(f"nginx is not installed: {INSTALL_ADVICE}")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = nginx_config(folder, port, upstream_ports)
    command = [binary, "-p", str(folder), "-c", str(config)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration: {checked.stderr}")
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, timeout_s=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Service:
    """One of our processes: started, killed and started again on the same port."""

    name: str
    command: list[str]
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        """Without warning, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_listening(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        assert self.process is not None
        wait_for_port(self.port, self.process, timeout_s=timeout_s)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


@dataclass
class Topology:
    url: str  # nginx: where Twilio's requests go
    replicas: list[Service]
    actions: Service
    tracker_store_url: str
    lock_store_url: str
    reports_db_url: str
    env: dict[str, str] = field(default_factory=dict)

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replicas[index].port}"

    def wait_ready(self, service: Service, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Until a replica answers its readiness check (model loaded, action server up)."""
        service.wait_listening(timeout_s)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{service.port}{READY_PATH}", timeout=5
                ) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"{service.name} never became ready")

    def restart_actions(self) -> None:
        self.actions.stop()
        self.actions.start()
        self.actions.wait_listening()


@contextlib.contextmanager
def local_topology(
    folder: Path | None = None,
    replicas: int = 2,
    settings: dict[str, str] | None = None,
    model: Path = launch.MODEL,
) -> Iterator[Topology]:
    """Start everything, yield the running topology, stop everything.

    `settings` are environment values for our processes: at least
    TWILIO_AUTH_TOKEN and CONVERSATION_ID_SECRET.
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="kyr-topology-"))
    folder.mkdir(parents=True, exist_ok=True)
    with postgres_server() as database_url, redis_server() as redis_url:
        action_port = free_port()
        ports = [free_port() for _ in range(replicas)]
        with nginx(folder / "nginx", ports) as edge_url:
            env = launch.process_environment(
                {
                    "TRACKER_STORE_URL": database_url,
                    "LOCK_STORE_URL": redis_url,
                    "REPORTS_DB_URL": database_url,
                    # Twilio signs the URL it calls: the edge's, not a replica's.
                    "PUBLIC_BASE_URL": edge_url,
                    "LOG_LEVEL": "WARNING",
                    **(settings or {}),
                }
            )
            endpoints = launch.write_endpoints(
                folder / "endpoints.yml", f"http://127.0.0.1:{action_port}/webhook"
            )
            actions = Service(
                "action server",
                launch.action_server_command(action_port),
                action_port,
                env,
                folder / "actions.log",
            )
            servers = [
                Service(
                    f"rasa-{number}",
                    launch.rasa_server_command(model, port, endpoints, credentials=PRODUCTION_CREDENTIALS),
                    port,
                    env,
                    folder / f"rasa-{number}.log",
                )
                for number, port in enumerate(ports, 1)
            ]
            topology = Topology(edge_url, servers, actions, database_url, redis_url, database_url, env)
            try:
                actions.start()
                for server in servers:
                    server.start()
                actions.wait_listening()
                for server in servers:
                    topology.wait_ready(server)
                yield topology
            finally:
                for service in [*servers, actions]:
                    service.stop()


def main(args: list[str]) -> int:
    """`python -m bot topology`: run it until Ctrl-C, with development secrets."""
    settings = {
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN") or "local-topology-token",
        "CONVERSATION_ID_SECRET": os.environ.get("CONVERSATION_ID_SECRET")
        or "local-topology-secret-0123456789",
    }
    with local_topology(settings=settings) as topology:
        print(f"nginx: {topology.url} -> Rasa on ports {[s.port for s in topology.replicas]}")
        token = settings["TWILIO_AUTH_TOKEN"]
        print(f"Text it: TWILIO_AUTH_TOKEN={token} .venv/bin/python -m bot sms --url {topology.url}")
        print(f"Call it: TWILIO_AUTH_TOKEN={token} .venv/bin/python -m bot call --url {topology.url}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0

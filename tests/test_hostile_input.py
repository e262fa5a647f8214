"""Hostile input (issue 10): no request freezes the server, crashes a turn or leaks a message.

Real HTTP, and raw sockets where a client library would refuse to send the
request, against `rasa run` on loopback (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot import launch
from bot.channels.http_limits import BODY_READ_TIMEOUT_S, MAX_BODY_BYTES
from bot.channels.readiness import CHECK_INTERVAL_S
from bot.channels.sms_text import to_sms_text
from bot.cli.serve import SupervisedProcess
from bot.privacy.ids import conversation_id
from bot.rendering.renderer import renderer
from bot.storage.local_services import free_port, wait_for_port
from tests.conftest import SECRET, LiveServer, running_server
from tests.sms_client import WEBHOOK_PATH
from tests.voice_client import Call

REST_PATH = "/webhooks/rest/webhook"
VOICE_PATH = "/webhooks/twilio_voice/webhook"


def sms_text(key: str, language: str, **kwargs: Any) -> str:
    return to_sms_text(renderer().render(key, language, "sms", **kwargs).text, language)


def raw_request(base_url: str, raw: bytes, timeout_s: float = 5) -> tuple[int, float]:
    """Send raw bytes on a new connection: (status, seconds); status -1 when no answer came in time."""
    host, port = base_url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout_s) as connection:
        connection.sendall(raw)
        try:
            line = connection.makefile("rb").readline()
        except TimeoutError:
            return -1, time.monotonic() - start
    parts = line.split()
    return (int(parts[1]) if len(parts) > 1 else 0), time.monotonic() - start


def head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def rest(base_url: str, body: bytes, timeout_s: float = 20) -> tuple[int, Any]:
    request = urllib.request.Request(
        base_url + REST_PATH, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def still_answers(server: LiveServer) -> None:
    status, _ = rest(server.base_url, json.dumps({"sender": "probe", "message": "hi"}).encode(), 10)
    assert status == 200


# --- the edge: Content-Length and size --------------------------------------------------------


@pytest.mark.parametrize("path", [WEBHOOK_PATH, VOICE_PATH, REST_PATH, "/nowhere"])
@pytest.mark.parametrize("length", ["-5", "abc", "+5", "5, 5", "1e3"])
def test_a_bad_content_length_gets_400_and_freezes_nothing(
    live_server: LiveServer, path: str, length: str
) -> None:
    # Before: "-5" kept Sanic's body reader spinning at 100% CPU, and nobody
    # got an answer again; "abc" was a 500.
    status, _ = raw_request(
        live_server.base_url, head(path, {"Content-Length": length}) + b"From=x&Body=hello"
    )
    assert status == 400
    still_answers(live_server)


def test_two_content_lengths_get_400(live_server: LiveServer) -> None:
    raw = head(WEBHOOK_PATH, {"Content-Length": "3"}).replace(b"\r\n\r\n", b"\r\nContent-Length: 30\r\n\r\n")
    assert raw_request(live_server.base_url, raw + b"a=b")[0] == 400


@pytest.mark.parametrize("path", [WEBHOOK_PATH, VOICE_PATH, REST_PATH])
def test_webhook_bodies_need_a_length_within_the_limit(live_server: LiveServer, path: str) -> None:
    big = b"Body=" + b"A" * MAX_BODY_BYTES
    assert raw_request(live_server.base_url, head(path, {"Content-Length": str(len(big))}) + big)[0] == 413
    assert raw_request(live_server.base_url, head(path, {}) + b"Body=hi")[0] == 411
    chunked = head(path, {"Transfer-Encoding": "chunked"}) + b"7\r\nBody=hi\r\n0\r\n\r\n"
    assert raw_request(live_server.base_url, chunked)[0] == 411
    still_answers(live_server)


def test_a_body_shorter_than_its_content_length_gets_408_not_a_hang(live_server: LiveServer) -> None:
    raw = head(WEBHOOK_PATH, {"Content-Length": "500"}) + b"From=%2B13105550100&Body=hi"
    status, seconds = raw_request(live_server.base_url, raw, timeout_s=BODY_READ_TIMEOUT_S + 10)
    assert status == 408
    assert seconds < BODY_READ_TIMEOUT_S + 3


# --- Twilio's fields -----------------------------------------------------------------------------


@pytest.mark.parametrize("num_media", ["abc", "-1", "1e9", "9" * 5000, "²"])
def test_bad_num_media_with_empty_body_gets_the_rephrase_reply(
    live_server: LiveServer, num_media: str
) -> None:
    phone = live_server.sender("+13105550101")
    reply = phone.send("", NumMedia=num_media)  # before: 500 on a NumMedia that is not a number
    assert reply.status == 200
    assert reply.text == sms_text("utter_rephrase", "en")


@pytest.mark.parametrize("sid", ["x" * 60_000, "SM\x00", "💥"])
def test_an_odd_message_sid_is_not_remembered_but_answered(live_server: LiveServer, sid: str) -> None:
    reply = live_server.sender("+13105550102").send("hello", MessageSid=sid)
    assert reply.status == 200 and reply.text


@pytest.mark.parametrize("sender", ["x" * 500, "+1 310 555 0103", "\x00"])
def test_an_invalid_from_gets_400(live_server: LiveServer, sender: str) -> None:
    assert live_server.sender(sender).send("hello").status == 400


@pytest.mark.parametrize("digits", ["²", "①", "٣", "5" * 5000, "1a"])
def test_odd_digits_at_the_language_menu_repeat_the_prompt(live_server: LiveServer, digits: str) -> None:
    call = Call(live_server.base_url, "test-auth-token-0123456789abcdef")
    first = call.start()
    # Before: "²" and 5,000 digits crashed the turn, and the call hung up.
    turn = call.press(digits)
    assert turn.status == 200
    assert "Hangup" not in turn.verbs() and turn.gather is not None
    assert first.says[-1].text == turn.says[-1].text  # the language menu again
    assert call.press("2").says[0].language == "es-US"


def test_odd_digits_in_the_main_menu_repeat_the_prompt(live_server: LiveServer) -> None:
    call = Call(live_server.base_url, "test-auth-token-0123456789abcdef")
    call.start()
    menu = call.press("1")
    turn = call.press("①")
    assert turn.status == 200 and turn.gather is not None
    assert menu.says[-1].text == turn.says[-1].text


# --- REST --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[1, 2]",
        b'"hello"',
        b"null",
        b"{",
        b"[" * 20_000 + b"]" * 20_000,
        b'{"sender": 5, "message": "hi"}',
        b'{"sender": "a", "message": ["hi"]}',
        b'{"message": "hi"}',
        "\u00ff".encode("latin-1"),
    ],
)
def test_rest_refuses_what_is_not_a_message_with_400(live_server: LiveServer, body: bytes) -> None:
    status, _ = rest(live_server.base_url, body)  # before: 500 for most of these
    assert status == 400


def test_rest_answers_a_message_with_a_lone_surrogate(live_server: LiveServer) -> None:
    status, messages = rest(
        live_server.base_url, b'{"sender": "s1", "message": "hola \\ud800 necesito ayuda"}'
    )
    assert status == 200 and messages and messages[0]["text"]


# --- intent injection --------------------------------------------------------------------------------


@pytest.mark.parametrize("injection", ["/restart", "/report_activity", "/session_start", "  /restart"])
def test_text_from_sms_is_never_an_intent(live_server: LiveServer, injection: str) -> None:
    number = f"+1310555{abs(hash(injection)) % 10000:04d}"
    phone = live_server.sender(number)
    phone.send("la migra esta en mi puerta que hago")
    reply = phone.send(injection)
    assert reply.status == 200 and reply.text  # before: "/restart" restarted the conversation silently
    events = live_server.events(conversation_id(number, SECRET.encode(), "sms"))
    users = [json.loads(data) for name, data in events if name == "user"]
    assert not users[-1]["text"].startswith("/")
    assert users[-1]["parse_data"]["intent"]["name"] not in ("restart", "session_start")
    assert "restart" not in [name for name, _ in events]


def test_text_from_rest_and_speech_is_never_an_intent(live_server: LiveServer) -> None:
    rest(live_server.base_url, json.dumps({"sender": "inject-1", "message": "hola, la migra"}).encode())
    status, messages = rest(
        live_server.base_url, json.dumps({"sender": "inject-1", "message": "/restart"}).encode()
    )
    assert status == 200 and messages  # before: a restart, which answers nothing
    assert messages[0]["text"] not in (
        sms_text("utter_technical_problem", "es"),
        sms_text("utter_technical_problem", "en"),
    )
    call = Call(live_server.base_url, "test-auth-token-0123456789abcdef")
    call.start()
    call.press("2")
    assert call.say("/restart").status == 200
    events = live_server.events(conversation_id(call.call_sid, SECRET.encode(), "call"))
    assert "restart" not in [name for name, _ in events]  # before: the caller's words restarted it


# --- same sender, several texts at once --------------------------------------------------------------


def test_a_burst_from_one_phone_is_answered_in_order_without_waiting(live_server: LiveServer) -> None:
    import concurrent.futures

    number = "+13105550177"
    phone = live_server.sender(number)
    texts = ["hola", "2", "3", "4", "5"]  # menu numbers need the action server: the lock is held meanwhile
    requests = [phone.params(text) for text in texts]
    start = time.monotonic()
    finished: list[float] = []

    def send(index: int) -> None:
        time.sleep(index * 0.005)
        assert phone.send_params(requests[index]).status == 200
        finished.append(time.monotonic() - start)

    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        list(pool.map(send, range(5)))
    finished.sort()
    gaps = [finished[0]] + [b - a for a, b in zip(finished, finished[1:], strict=False)]
    assert max(gaps) < 2, gaps
    events = live_server.events(conversation_id(number, SECRET.encode(), "sms"))
    assert [json.loads(data)["text"] for name, data in events if name == "user"] == texts


# --- a slow, dead or failing action server --------------------------------------------------------


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, SupervisedProcess]]:
    """A server whose action server is supervised as `make run` does, and cannot save reports."""
    folder = tmp_path_factory.mktemp("supervised")
    port = free_port()
    env = launch.process_environment({"REPORTS_DB_URL": "sqlite:////nonexistent/kyr/reports.db"})
    with (folder / "actions.log").open("wb") as log:
        actions = SupervisedProcess(launch.action_server_command(port), env, log, "action server")
        try:
            wait_for_port(port, actions.process)
            with running_server(folder / "rasa", f"http://127.0.0.1:{port}/webhook") as server:
                yield server, actions
        finally:
            actions.stop()


def ready(server: LiveServer) -> int:
    try:
        with urllib.request.urlopen(server.base_url + "/webhooks/rest/ready", timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_hung_action_gets_the_311_reply_within_15_s(
    supervised: tuple[LiveServer, SupervisedProcess],
) -> None:
    server, actions = supervised
    phone = server.sender("+13105550181")
    assert phone.send("hola").status == 200
    assert phone.send("2").text == sms_text("utter_kyr_door", "es", legal_notice=True)
    os.kill(actions.process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        start = time.monotonic()
        reply = phone.send("3")  # a menu number needs the action server
        elapsed = time.monotonic() - start
    finally:
        os.kill(actions.process.pid, signal.SIGCONT)
    assert reply.status == 200
    assert reply.text == sms_text("utter_technical_problem", "es")
    assert elapsed < 15  # before: Rasa waited 300 s for the action


def test_a_dead_action_server_is_restarted(supervised: tuple[LiveServer, SupervisedProcess]) -> None:
    server, actions = supervised
    phone = server.sender("+13105550182")
    phone.send("hola")
    assert ready(server) == 200
    restarts, process = actions.restarts, actions.process
    process.kill()
    process.wait()
    time.sleep(CHECK_INTERVAL_S)
    assert ready(server) == 503  # readiness says the action server is down
    # The next turn still gets a useful answer...
    assert phone.send("2").text in (
        sms_text("utter_technical_problem", "es"),
        sms_text("utter_kyr_door", "es", legal_notice=True),  # if the restart was that quick
    )
    deadline = time.monotonic() + 90
    while (actions.restarts == restarts or ready(server) != 200) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert actions.restarts == restarts + 1
    # ...and the one after works again.
    assert phone.send("4").text in (
        sms_text("utter_kyr_work", "es", legal_notice=True),
        sms_text("utter_kyr_work", "es", legal_notice=False),
    )


def test_a_failing_action_leaks_nothing_into_the_logs(
    supervised: tuple[LiveServer, SupervisedProcess], tmp_path_factory: pytest.TempPathFactory
) -> None:
    server, _ = supervised
    number, typed = "+13105550183", "213-555-0178"
    phone = server.sender(number)
    for text in ("I want to report ICE at the park", "skip", "skip", "skip", "skip", "skip", "yes"):
        assert phone.send(text).status == 200
    # Saving the call-back number fails (the reports database cannot be opened).
    reply = phone.send(f"call me at {typed} please")
    assert reply.status == 200 and reply.text
    logs = server.log_path.read_bytes() + (server.log_path.parent.parent / "actions.log").read_bytes()
    assert b"ERROR" in logs  # the failure itself is logged...
    for needle in (typed, typed.replace("-", ""), number, number[2:], "call me at"):
        assert needle.encode() not in logs, f"{needle} reached a log"  # ...but not what was sent

"""The shipped topology under faults: nginx (deploy/nginx.conf), two Rasa servers, actions, PostgreSQL, Redis.

Started on loopback by bot.local_topology, as `make bench` starts it for the
long runs. Any replica can take any turn: a call that moves between replicas
keeps its place, a retried request is handled once, a replica killed during
an SMS load or a call loses no conversation, language or turn, and a restarted
action server lets a report go on where it was.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from bot.channels.sms_text import to_sms_text
from bot.channels.twilio_signing import signed_form
from bot.channels.voice_twiml import voice_settings
from bot.local_topology import Topology, local_topology, nginx_binary
from bot.privacy.ids import conversation_id
from bot.storage.local_services import INSTALL_ADVICE, missing_services
from tests.conftest import AUTH_TOKEN, SECRET, rendered
from tests.sms_client import WEBHOOK_PATH, SmsSender
from tests.voice_client import Call

REQUIRE_SERVICES_SETTING = "KYR_REQUIRE_SERVICES"
CONVERSATIONS = 20
# Spanish all along: after the kill, a conversation that lost its language would answer in English.
TURNS = ["hola", "2", "mas", "menu", "6", "gracias", "menu", "5"]
TWILIO_PATIENCE_S = 15.0


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    missing = missing_services() + ([] if nginx_binary() else ["nginx"])
    if missing and not os.environ.get(REQUIRE_SERVICES_SETTING):
        pytest.skip(f"{' and '.join(missing)} not installed: {INSTALL_ADVICE}")
    settings = {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "CONVERSATION_ID_SECRET": SECRET}
    with local_topology(tmp_path_factory.mktemp("topology"), settings=settings) as running:
        yield running


@pytest.fixture
def both_replicas_up(topology: Topology) -> Topology:
    for replica in topology.replicas:
        if replica.process is None or replica.process.poll() is not None:
            replica.start()
            topology.wait_ready(replica)
    return topology


def stored_user_texts(topology: Topology, phone: str) -> list[str]:
    sender = conversation_id(phone, SECRET.encode(), "sms")
    with create_engine(topology.tracker_store_url).connect() as db:
        query = text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id")
        return [json.loads(row[0])["text"] for row in db.execute(query, {"s": sender})]


def message_text(body: str) -> str:
    root = ElementTree.fromstring(body)
    return " ".join(message.text or "" for message in root.findall("Message"))


def sms(key: str, language: str = "es") -> str:
    return to_sms_text(rendered(key, language, variant="sms"), language)


async def _send(
    session: aiohttp.ClientSession, topology: Topology, phone: str, body: str
) -> tuple[int, str, float]:
    url = topology.url + WEBHOOK_PATH
    params = {
        "From": phone,
        "To": "+12135550000",
        "Body": body,
        "NumMedia": "0",
        "MessageSid": f"SM{random.getrandbits(128):032x}",
    }
    data, headers = signed_form(AUTH_TOKEN, url, params)
    start = time.monotonic()
    async with session.post(url, data=data, headers=headers) as reply:
        return reply.status, await reply.text(), time.monotonic() - start


def test_a_replica_killed_during_an_sms_load_loses_no_conversation(both_replicas_up: Topology) -> None:
    topology = both_replicas_up
    replies: dict[str, list[tuple[int, str, float]]] = {}
    sent = 0

    async def conversation(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal sent
        phone = f"+1310888{number:04d}"
        replies[phone] = []
        for turn in TURNS:
            replies[phone].append(await _send(session, topology, phone, turn))
            sent += 1

    async def kill_when_busy() -> None:
        while sent < CONVERSATIONS * len(TURNS) // 3:
            await asyncio.sleep(0.01)
        topology.replicas[0].kill()  # mid-load, requests in flight on it

    async def load() -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            await asyncio.gather(kill_when_busy(), *(conversation(n, session) for n in range(CONVERSATIONS)))

    asyncio.run(load())
    assert topology.replicas[0].process.poll() is not None, "the replica was not killed during the load"
    menu = sms("utter_menu")
    for phone, answers in replies.items():
        assert [status for status, _, _ in answers] == [200] * len(TURNS), phone
        assert all("<Message>" in body for _, body, _ in answers), phone
        assert max(seconds for _, _, seconds in answers) < TWILIO_PATIENCE_S, phone
        # Every turn stored once, in order: none lost, none handled twice.
        assert stored_user_texts(topology, phone) == TURNS
        # ...and still in Spanish at the end.
        assert menu in message_text(answers[TURNS.index("menu", 4)][1]), phone


def test_a_call_through_nginx_keeps_its_place_turn_after_turn(both_replicas_up: Topology) -> None:
    """nginx sends each request to the next server in turn: a call's turns alternate between them."""
    call = Call(both_replicas_up.url, AUTH_TOKEN)
    assert call.start().gather is not None
    spanish = voice_settings("es").say_language
    assert call.press("2").says[-1].language == spanish  # Spanish
    answer = call.press("2")  # "agents at your door"
    assert answer.says[0].language == spanish
    assert [s.text for s in call.press("9").says] == [s.text for s in answer.says]  # repeat
    assert call.press("*").says[-1].language == spanish  # the main menu again


def test_a_call_moves_between_replicas_and_survives_a_killed_one(both_replicas_up: Topology) -> None:
    topology = both_replicas_up
    call = Call(topology.replica_url(0), AUTH_TOKEN, signed_base_url=topology.url)
    call.start()  # replica 1 answers the call
    call.base_url = topology.replica_url(1)
    menu = call.press("2")  # Spanish, chosen on replica 2
    assert menu.says[-1].language == voice_settings("es").say_language
    call.base_url = topology.replica_url(0)
    answer = call.press("2")  # "agents at your door", on replica 1
    assert answer.says and answer.says[0].language == voice_settings("es").say_language
    # Replica 1 dies; the call goes on through nginx, on replica 2, where it was.
    topology.replicas[0].kill()
    call.base_url = topology.url
    start = time.monotonic()
    repeated = call.press("9")
    assert time.monotonic() - start < TWILIO_PATIENCE_S
    assert [s.text for s in repeated.says] == [s.text for s in answer.says]
    assert call.press("*").says[-1].language == voice_settings("es").say_language


def test_a_retried_sms_is_handled_once_across_replicas(both_replicas_up: Topology) -> None:
    topology = both_replicas_up
    phone = "+13108889901"
    first = SmsSender(topology.replica_url(0), AUTH_TOKEN, phone, signed_base_url=topology.url)
    second = SmsSender(topology.replica_url(1), AUTH_TOKEN, phone, signed_base_url=topology.url)
    params = first.params("la migra esta en mi puerta que hago")

    async def both() -> list[Any]:
        loop = asyncio.get_running_loop()
        return await asyncio.gather(
            loop.run_in_executor(None, first.send_params, params),
            loop.run_in_executor(None, second.send_params, params),
        )

    one, other = asyncio.run(both())
    assert one.status == other.status == 200
    assert one.text == other.text and one.text
    later = second.send_params(params)  # a late retry, on the other replica
    assert later.text == one.text
    assert stored_user_texts(topology, phone) == ["la migra esta en mi puerta que hago"]


def test_a_retried_voice_request_moves_the_call_once_across_replicas(both_replicas_up: Topology) -> None:
    topology = both_replicas_up
    call = Call(topology.replica_url(0), AUTH_TOKEN, signed_base_url=topology.url)
    call.start()
    more = call.press("9")  # the second page of languages
    call.base_url = topology.replica_url(1)
    retry = call.again()  # the same request, on the other replica
    assert ElementTree.tostring(retry.root) == ElementTree.tostring(more.root)
    chosen = call.press("1")  # still on page two: its first language, not English
    assert chosen.text != more.text
    assert chosen.says[-1].language != voice_settings("en").say_language


def test_a_restarted_action_server_lets_the_report_go_on(both_replicas_up: Topology, tmp_path: Path) -> None:
    topology = both_replicas_up
    phone = SmsSender(topology.url, AUTH_TOKEN, "+13108889902")
    assert phone.send("quiero reportar a la migra").status == 200
    asked_when = phone.send("el parque Echo")
    assert asked_when.text == sms("utter_ask_report_when")
    topology.restart_actions()
    topology.wait_ready(topology.replicas[0])
    # The form goes on where it was, in Spanish: the next question is how many agents.
    assert phone.send("ahorita").text == sms("utter_ask_report_agents")

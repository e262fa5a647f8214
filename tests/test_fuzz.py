"""The fuzz suite's fast run (issue 10): hostile requests to every channel of a live server.

`make fuzz` sends 10,000+ per channel (benchmarks/fuzz.py); this sends
FUZZ_PER_CHANNEL, with the same generator and the same pass criteria: no
5xx, no answer slower than 15 s, and nothing of what was sent in the log.
"""

from __future__ import annotations

import asyncio
import collections

from bot.channels.http_limits import BODY_READ_TIMEOUT_S
from tests import fuzz_requests
from tests.conftest import AUTH_TOKEN, LiveServer

FUZZ_PER_CHANNEL = 150
TWILIO_TIMEOUT_S = 15


def test_hostile_requests_get_no_5xx_no_hang_and_leave_nothing_in_the_log(live_server: LiveServer) -> None:
    host, port = live_server.base_url.removeprefix("http://").split(":")
    outcomes = asyncio.run(
        fuzz_requests.run(host, int(port), AUTH_TOKEN, FUZZ_PER_CHANNEL, seed=10, concurrency=8, timeout_s=20)
    )
    assert len(outcomes) == FUZZ_PER_CHANNEL * len(fuzz_requests.CHANNELS)
    by_status = collections.Counter((o.channel, o.kind, o.status) for o in outcomes)
    assert not [o for o in outcomes if o.status >= 500 or o.status <= 0], by_status
    slowest = max(outcomes, key=lambda o: o.seconds)
    assert slowest.seconds < TWILIO_TIMEOUT_S, slowest
    # Only a body that never arrives takes long: it gets 408 after the read timeout.
    assert all(o.seconds < 5 for o in outcomes if o.status != 408), by_status
    assert all(o.seconds < BODY_READ_TIMEOUT_S + 3 for o in outcomes)
    # Most requests were valid enough to reach a conversation.
    assert sum(1 for o in outcomes if o.status == 200) > len(outcomes) / 3, by_status
    assert fuzz_requests.canaries_in(live_server.log_path.read_bytes()) == []

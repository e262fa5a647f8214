"""Readiness: can this server answer every kind of turn? GET /webhooks/twilio/ready or /rest/ready.

200 when the model is loaded and the action server answers its health check;
503 otherwise, with what is down. Topic answers still work with the action
server down (they are rendered here), so a load balancer may keep routing to
a 503 server; the point is that operators and probes see the outage. The
action server's health is asked at most every CHECK_INTERVAL_S.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

CHECK_TIMEOUT_S = 1.0
CHECK_INTERVAL_S = 2.0


def health_url(action_endpoint_url: str) -> str:
    """rasa-sdk's health check, beside its webhook: http://host:5055/webhook -> .../health."""
    parts = urlsplit(action_endpoint_url)
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


class ActionServerProbe:
    def __init__(self) -> None:
        self._checked_at = -CHECK_INTERVAL_S
        self._up = False

    async def is_up(self, action_endpoint_url: str) -> bool:
        if time.monotonic() - self._checked_at < CHECK_INTERVAL_S:
            return self._up
        try:
            timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(health_url(action_endpoint_url)) as reply,
            ):
                self._up = reply.status == 200
        except (aiohttp.ClientError, TimeoutError, ValueError):
            self._up = False
        self._checked_at = time.monotonic()
        return self._up


def add_readiness_route(blueprint: Blueprint) -> None:
    probe = ActionServerProbe()

    @blueprint.route("/ready", methods=["GET"])
    async def ready(request: Request) -> HTTPResponse:
        agent: Any = getattr(request.app.ctx, "agent", None)
        model = "loaded" if agent is not None and agent.is_ready() else "not loaded"
        endpoint = getattr(agent, "action_endpoint", None) if agent is not None else None
        if endpoint is None or not endpoint.url:
            actions = "not configured"
        else:
            actions = "up" if await probe.is_up(endpoint.url) else "down"
        ok = model == "loaded" and actions == "up"
        return response.json(
            {"status": "ready" if ok else "degraded", "model": model, "action_server": actions},
            status=200 if ok else 503,
        )

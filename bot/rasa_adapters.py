"""Adaptations of Rasa 3.6 internals, installed once per server process (by CatalogNLG).

**Action deadline.** Rasa waits up to 300 s for a custom action
(`RemoteAction.run` passes `timeout=DEFAULT_REQUEST_TIMEOUT` to its
`EndpointConfig.request`; rasa 3.6.21 reads no timeout from the action
endpoint's configuration). A hung action server would hold the person's
turn, and Twilio's webhook, far past the 15 s Twilio waits. Each action call
gets ACTION_DEADLINE_S; past it, the call fails the way a dead action
server does (a RasaException), Rasa logs it and goes on, and the channel
sends the 311 fallback in the person's language.

**Action result validation** (a behaviour-preserving speed-up, measured in the README).

RemoteAction._validate_action_result calls `jsonschema.validate`, which
re-checks the schema itself against the JSON Schema meta-schema and builds a
new validator on every custom action call: ~40 ms of CPU per call on these
machines, 40% of the SMS server's time under load. Validating against the
same schema with a validator compiled once takes ~0.5 ms and accepts and
rejects exactly the same responses (tests/test_rasa_adapters.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import RasaException

ACTION_DEADLINE_S = 10.0

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every call
    compiled = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            compiled.validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from "
                "the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise

    run_without_deadline = RemoteAction.run

    async def run_with_deadline(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.wait_for(run_without_deadline(self, *args, **kwargs), ACTION_DEADLINE_S)
        except asyncio.TimeoutError:
            raise RasaException(
                f"Custom action '{self.name()}' did not answer within {ACTION_DEADLINE_S:g} s."
            ) from None

    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = run_with_deadline
    _installed = True

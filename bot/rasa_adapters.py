"""Behaviour-preserving speed-ups of Rasa 3.6 internals, measured in the README.

RemoteAction._validate_action_result calls `jsonschema.validate`, which
re-checks the schema itself against the JSON Schema meta-schema and builds a
new validator on every custom action call: ~40 ms of CPU per call on these
machines, 40% of the SMS server's time under load. Validating against the
same schema with a validator compiled once takes ~0.5 ms and accepts and
rejects exactly the same responses (tests/test_rasa_adapters.py).
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

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

    RemoteAction._validate_action_result = validate_action_result
    _installed = True

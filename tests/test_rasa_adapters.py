"""The precompiled action-result validation behaves exactly like Rasa's own."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_adapters

VALID = {
    "events": [{"event": "slot", "name": "language", "value": "es"}],
    "responses": [{"response": "utter_kyr_door", "language": "es"}],
}
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": 7}]},
    {"responses": {"response": "utter_x"}},
]


def test_installed_by_the_nlg() -> None:
    from bot.rendering.nlg import CatalogNLG

    CatalogNLG()
    assert RemoteAction._validate_action_result.__name__ == "validate_action_result"


@pytest.mark.parametrize("result", [VALID, {}, {"events": [], "responses": []}])
def test_accepts_what_rasa_accepts(result: dict) -> None:
    rasa_adapters.install()
    assert RemoteAction("action_menu_choice", None)._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_rejects_what_rasa_rejects(result: dict) -> None:
    from jsonschema import validate

    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())  # Rasa's own check
    rasa_adapters.install()
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_menu_choice", None)._validate_action_result(result)

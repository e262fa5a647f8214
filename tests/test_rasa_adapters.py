"""The precompiled action-result validation behaves exactly like Rasa's own."""

from __future__ import annotations

from typing import Any

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


def test_installed_by_the_nlg_and_skips_the_meta_schema_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the speed-up is: no per-call check of the schema against the meta-schema."""
    from jsonschema import validators

    from bot.rendering.nlg import CatalogNLG

    CatalogNLG()
    schema = RemoteAction.action_response_format_spec()
    checks: list[object] = []
    validator_class = validators.validator_for(schema)
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, s: checks.append(s)))
    action = RemoteAction("action_menu_choice", None)
    for _ in range(3):
        assert action._validate_action_result(VALID) is True
    assert checks == [], "the schema was re-checked on a call: the speed-up is not installed"


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


GRAPH_TEXTS = [
    "ICE is at my door",
    "la migra esta en mi trabajo que hago",
    "이민국이 집에 찾아오면 문 열어줘야 하나요?",
    "2",
    "more",
    "I want to report ICE agents at a city park",
    "asdf qwerty",
]


def test_graph_runs_in_order_give_what_dask_gives(
    agent: Any, new_conversation: Any, event_loop_for_agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.engine.runner.dask import DaskGraphRunner

    assert DaskGraphRunner.run is rasa_adapters.run_in_order, "the in-order runner is not installed"

    def parses() -> list[dict]:
        return [event_loop_for_agent.run_until_complete(agent.parse_message(text)) for text in GRAPH_TEXTS]

    def replies() -> list[str]:
        conversation = new_conversation()
        return [conversation.say(text) for text in GRAPH_TEXTS]

    ours = parses(), replies()
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_adapters.DASK_RUN)
    assert (parses(), replies()) == ours


def test_the_unseen_features_check_warns_as_rasa_does_and_builds_no_domain_per_message(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    assert MessageProcessor._check_for_unseen_features is rasa_adapters.check_for_unseen_features
    processor = agent.processor
    unknown = {"intent": {"name": "no_such_intent"}, "entities": [{"entity": "no_such_entity"}]}
    known = {"intent": {"name": "greet"}, "entities": []}

    def warnings_of(check: Any, parse_data: dict) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check(processor, parse_data)
        return [str(w.message) for w in caught]

    for parse_data in (unknown, known):
        assert warnings_of(rasa_adapters.check_for_unseen_features, parse_data) == warnings_of(
            rasa_adapters.RASA_CHECK_FOR_UNSEEN_FEATURES, parse_data
        )
    assert len(warnings_of(rasa_adapters.check_for_unseen_features, unknown)) == 2
    built: list[int] = []
    empty = Domain.empty
    monkeypatch.setattr(Domain, "empty", classmethod(lambda cls: built.append(1) or empty()))
    for _ in range(5):
        rasa_adapters.check_for_unseen_features(processor, known)
    assert built == []

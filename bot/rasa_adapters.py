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

**Graph runs in order** (a behaviour-preserving speed-up, measured in the README).

Every message runs Rasa's model graph several times (the NLU, then each
policy prediction), and DaskGraphRunner hands each run to dask's scheduler:
about 9% of the SMS server's CPU under load went to dask's own bookkeeping
(py-spy). The graph is small and runs on one thread anyway (dask's
synchronous scheduler), so we call its nodes directly, each once, after the
nodes it needs: the same nodes, the same inputs, the same results (tested
against dask on the trained model).

**The unseen-features check** (a behaviour-preserving speed-up). For every
message, MessageProcessor._check_for_unseen_features first asks
`domain.is_empty()`, which builds an empty Domain and serializes both
domains to compare them: 6% of the SMS server's CPU (py-spy). The loaded
model's domain does not change, so whether it is empty is asked once per
domain; the check then warns exactly as Rasa's does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import rasa.shared.utils.io
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL, DOCS_URL_DOMAINS
from rasa.shared.core.domain import Domain
from rasa.shared.exceptions import RasaException

ACTION_DEADLINE_S = 10.0

_installed = False
DASK_RUN = DaskGraphRunner.run  # Rasa's own, kept for the comparison test
RASA_CHECK_FOR_UNSEEN_FEATURES = MessageProcessor._check_for_unseen_features  # ...and this one


def _domain_is_empty(domain: Domain | None) -> bool:
    if domain is None:
        return True
    if getattr(domain, "_kyr_is_empty", None) is None:
        domain._kyr_is_empty = domain.is_empty()
    return bool(domain._kyr_is_empty)


def check_for_unseen_features(self: MessageProcessor, parse_data: dict[str, Any]) -> None:
    """Rasa's check, with the domain's emptiness asked once per domain."""
    if not self.domain or _domain_is_empty(self.domain):
        return
    intent = parse_data["intent"]["name"]
    if intent and intent not in self.domain.intents:
        rasa.shared.utils.io.raise_warning(
            f"Parsed an intent '{intent}' which is not defined in the domain. "
            f"Please make sure all intents are listed in the domain.",
            docs=DOCS_URL_DOMAINS,
        )
    for element in parse_data["entities"] or []:
        entity = element["entity"]
        if entity and entity not in self.domain.entities:
            rasa.shared.utils.io.raise_warning(
                f"Parsed an entity '{entity}' which is not defined in the domain. "
                f"Please make sure all entities are listed in the domain.",
                docs=DOCS_URL_DOMAINS,
            )


def run_in_order(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """DaskGraphRunner.run without dask: each needed node once, after what it needs.

    As in Rasa's dask graph, an input is the pair (name, value) and a node is
    called with its dependencies' results and returns (its name, its output).
    """
    run_targets = targets if targets else self._graph_schema.target_names
    schema = self._graph_schema.minimal_graph_schema(run_targets)
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in schema.nodes:
            raise GraphRunError(f"Input value '{value}' clashes with a node name.")
        results[name] = (name, value)

    def result_of(name: str) -> Any:
        if name not in results:
            needs = schema.nodes[name].needs.values()
            results[name] = self._instantiated_nodes[name](*(result_of(need) for need in needs))
        return results[name]

    try:
        return dict(result_of(target) for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


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
    DaskGraphRunner.run = run_in_order
    MessageProcessor._check_for_unseen_features = check_for_unseen_features
    _installed = True

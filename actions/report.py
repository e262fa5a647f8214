"""The report of enforcement activity: validation, submission and reset.

Inside the form, what the person writes is the answer to the question asked,
whatever the classifier thinks it is about: "Menu Ranch Market", "the Help
Center" and "parada del 720" are places. Only three things are not answers
(bot/report_form.py, data/report_form.yml):
* a message that is nothing but a control word: cancel, menu and operator
  leave the form (the rules in data/rules/report_form.yml answer them, and the
  report is not sent); help explains the form and asks the question again;
* a clear emergency ("they are outside my house now": the emergency intent
  with at least EMERGENCY_MIN_CONFIDENCE) that is no answer to the question:
  never at the place question (a place's name may sound like anything, and
  it comes right after the 911 and hotline numbers), and not a time at the
  time question ("right now" is an answer there). It gets the emergency
  answer, then the same question, so the report goes on where it stopped;
* an answer the yes/no question cannot read, or a number that cannot be read:
  the question again.

The form never asks for a name, an immigration status or anything about the
reporter. Free text is redacted (phone numbers, e-mails, house numbers) before
it is stored, and the tracker store redacts it again. A call-back number is
asked only after a yes, goes straight to the reports database, and the slot
holds only "given".
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_language, latest_text
from bot.language.times import CITY_TIMEZONE, is_a_time, parse_when
from bot.privacy.redaction import normalised_phone_number, redact
from bot.report_form import (
    CONTROL_INTENTS,
    DONT_KNOW,
    FIELDS,
    FORM_NAME,
    GIVEN,
    HELP,
    NO,
    SKIPPED,
    WHEN_AT_COLUMN,
    WHEN_PRECISION_COLUMN,
    YES,
    Field,
    answer_kind,
    control_kind,
    field_by_slot,
    required_slots,
)
from bot.settings import retention_days
from bot.storage import reports

REQUESTED_SLOT = "requested_slot"
EMERGENCY_INTENT = "emergency"
# How sure the classifier must be that a message mid-form is an emergency for
# it to get the emergency answer instead of being taken as the answer.
# Clear emergencies ("ICE agents outside right now", "estan aqui ahorita")
# score 0.9 and more; short answers that mention agents score under 0.5 ("hay
# agentes afuera de mi casa": 0.48, an answer to "how many agents?").
EMERGENCY_MIN_CONFIDENCE = 0.6


def is_emergency(message: dict[str, Any]) -> bool:
    intent = message.get("intent") or {}
    return (
        intent.get("name") == EMERGENCY_INTENT
        and (intent.get("confidence") or 0.0) >= EMERGENCY_MIN_CONFIDENCE
    )


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = field_by_slot(tracker.get_slot(REQUESTED_SLOT))
        # Only a message that answers the question asked can be a control word or
        # an emergency; the form's activation and its return after a rule are not.
        if asked is not None and asked.slot in tracker.slots_to_validate():
            text = latest_text(tracker)
            control = control_kind(text)
            if control in CONTROL_INTENTS:
                # Not an answer: reject, so that the form's rules (keyed on the intent
                # bot.nlu.language gave this control word) leave the form.
                return [SlotSet(asked.slot, None), ActionExecutionRejected(FORM_NAME)]
            if control == HELP:
                dispatcher.utter_message(response="utter_report_help")
                return [SlotSet(asked.slot, None)]  # the same question again
            if self._emergency(asked, text, tracker):
                dispatcher.utter_message(response="utter_emergency")
                dispatcher.utter_message(response="utter_report_resume")
                return [SlotSet(asked.slot, None)]
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _emergency(asked: Field, text: str, tracker: Tracker) -> bool:
        """A clear emergency that is no answer to the question asked: never at a
        place question, and never a time at the time question ("right now" is
        both an answer to "when?" and, to the classifier, an emergency)."""
        if not asked.emergency_interrupts or not is_emergency(tracker.latest_message):
            return False
        return not (asked.kind == "time" and is_a_time(text, conversation_language(tracker)))

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return required_slots({f.name: tracker.get_slot(f.slot) for f in FIELDS})

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Each answered field, read as its kind says (one validator for every field)."""
        events: list[EventType] = []
        for slot, value in tracker.slots_to_validate().items():
            field = field_by_slot(slot)
            if field is not None and value is not None:
                validated = self._validated(field, str(value), dispatcher, tracker)
                events.append(SlotSet(slot, validated))
                tracker.slots[slot] = validated  # seen by required_slots()
        return events

    @staticmethod
    def _validated(
        field: Field, value: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> str | None:
        kind = answer_kind(value)
        if kind == "skip":
            return SKIPPED  # stored empty
        if field.free_text:
            return redact(value)
        if field.kind == "yes_no_unknown":
            if kind in (YES, NO, DONT_KNOW):
                return kind
            dispatcher.utter_message(response="utter_report_contact_unclear")
            return None  # the question again
        # The call-back number, given with consent: to the reports database only.
        number = normalised_phone_number(value)
        if number is None:
            dispatcher.utter_message(response="utter_report_callback_invalid")
            return None
        reports.stash_callback(tracker.sender_id, number)
        return GIVEN


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers: dict[str, Any] = {}
        for field in FIELDS:
            value = tracker.get_slot(field.slot)
            if field.free_text:
                answers[field.column] = None if value in (None, SKIPPED) else redact(str(value))
            elif field.kind == "yes_no_unknown":
                answers[field.column] = value if value in (YES, NO, DONT_KNOW) else None
            else:
                answers[field.column] = reports.take_callback(tracker.sender_id) if value == GIVEN else None
            if field.kind == "time" and answers[field.column]:
                parsed = parse_when(
                    answers[field.column], conversation_language(tracker), answered_at(tracker, field.slot)
                )
                answers[WHEN_AT_COLUMN] = parsed.at if parsed else None
                answers[WHEN_PRECISION_COLUMN] = parsed.precision if parsed else None
        reference = reports.save_report(
            channel=tracker.get_latest_input_channel() or "unknown",
            language=conversation_language(tracker),
            idempotency_key=submission_key(tracker),
            **answers,
        )
        dispatcher.utter_message(
            response="utter_report_done", reference=reference, retention_days=str(retention_days())
        )
        return reset_events()


class ActionResetReport(Action):
    """Forget a report that was stopped (and any call-back number given for it)."""

    def name(self) -> str:
        return "action_reset_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reports.take_callback(tracker.sender_id)
        return reset_events()


def reset_events() -> list[EventType]:
    return [SlotSet(field.slot, None) for field in FIELDS]


def submission_key(tracker: Tracker) -> str:
    """The same for every run of one submission: the conversation and the message
    that completed the form (its id: Twilio's MessageSid on SMS)."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    last = user_events[-1] if user_events else {}
    message = last.get("message_id") or f"{last.get('timestamp')}"
    return hashlib.sha256(f"{tracker.sender_id}\n{message}".encode()).hexdigest()


def answered_at(tracker: Tracker, slot: str) -> datetime:
    """When the person answered `slot`: "now" and "an hour ago" are relative to that."""
    for event in reversed(tracker.events):
        answered = event.get("event") == "slot" and event.get("name") == slot and event.get("value")
        if answered and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), CITY_TIMEZONE)
    return datetime.now(CITY_TIMEZONE)

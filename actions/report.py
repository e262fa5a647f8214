"""The report of enforcement activity: validation, submission and reset.

The form never asks for a name, an immigration status or anything about the
reporter. Free text is redacted (phone numbers, e-mails, house numbers) before
it is stored, and the tracker store redacts it again. A call-back number is
asked only after a yes, goes straight to the reports database, and the slot
holds only "given".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_language
from bot.data_files import load_data_file
from bot.privacy.redaction import normalised_phone_number, redact
from bot.storage import reports
from bot.text import fold

FREE_TEXT_SLOTS = ("report_location", "report_when", "report_agents", "report_masks", "report_details")
CONTACT_SLOT = "report_contact"
CALLBACK_SLOT = "report_callback"
REPORT_SLOTS = (*FREE_TEXT_SLOTS, CONTACT_SLOT, CALLBACK_SLOT)
SKIPPED = "-"
YES, NO, GIVEN = "yes", "no", "given"


def words(kind: str) -> set[str]:
    return {fold(str(word)) for word in load_data_file("report_form.yml").get(kind, [])}


def is_skip(value: str) -> bool:
    return fold(value) in words("skip_words")


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot(CONTACT_SLOT) == YES:
            return domain_slots
        return [slot for slot in domain_slots if slot != CALLBACK_SLOT]

    # One validator per free-text slot: skip words become "-", the rest is redacted.
    async def validate_report_location(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"report_location": self._free(value)}

    async def validate_report_when(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"report_when": self._free(value)}

    async def validate_report_agents(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"report_agents": self._free(value)}

    async def validate_report_masks(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"report_masks": self._free(value)}

    async def validate_report_details(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"report_details": self._free(value)}

    async def validate_report_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = fold(str(value or ""))
        if answer in words("yes_words"):
            return {CONTACT_SLOT: YES}
        if answer in words("no_words") or is_skip(answer):
            return {CONTACT_SLOT: NO}
        return {CONTACT_SLOT: None}  # asked again

    async def validate_report_callback(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_skip(str(value or "")):
            return {CALLBACK_SLOT: SKIPPED}
        number = normalised_phone_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_report_callback_invalid")
            return {CALLBACK_SLOT: None}
        # Consent was given: the number goes to the reports database only.
        reports.stash_callback(tracker.sender_id, number)
        return {CALLBACK_SLOT: GIVEN}

    @staticmethod
    def _free(value: Any) -> str | None:
        if value is None:
            return None
        return SKIPPED if is_skip(str(value)) else redact(str(value))


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        def text(slot: str) -> str | None:
            value = tracker.get_slot(slot)
            return None if value in (None, SKIPPED) else redact(str(value))

        callback = (
            reports.take_callback(tracker.sender_id) if tracker.get_slot(CALLBACK_SLOT) == GIVEN else None
        )
        reference = reports.save_report(
            channel=tracker.get_latest_input_channel() or "unknown",
            language=conversation_language(tracker),
            location=text("report_location"),
            when_seen=text("report_when"),
            agents_vehicles=text("report_agents"),
            masks_identification=text("report_masks"),
            details=text("report_details"),
            callback_number=callback,
        )
        dispatcher.utter_message(response="utter_report_done", reference=reference)
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
    return [SlotSet(slot, None) for slot in REPORT_SLOTS]

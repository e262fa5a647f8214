"""The next step is one reply away: a text's resource list is numbered, and a reply of the number
sends that resource's details again (actions/menu_choice.py), counted anonymously (bot.storage.routes)."""

from __future__ import annotations

from bot.content.resources import resources_for_topic
from bot.storage import routes
from tests.conftest import LiveServer
from tests.test_sms_channel import sms_text


def test_a_number_after_a_list_picks_that_resource_and_after_that_numbers_are_menus_again(
    live_server: LiveServer, reports_db: str
) -> None:
    phone = live_server.sender("+13105550761")
    phone.send("hola")  # the greeting and the main menu
    answer = phone.send("necesito un abogado gratis").text or ""
    listed = [r.id for r in resources_for_topic("legal_help", "es")][:3]
    assert "1) " in answer and "2) " in answer and "- " not in answer.split("\n")[1], answer
    details = phone.send("2").text
    assert details == sms_text("utter_resource_details", "es", resource_ids=[listed[1]])
    counts = {
        (r["resource_id"], r["channel"], r["language"], r["outcome"]): r["count"]
        for r in routes.route_counts()
    }
    assert counts[(listed[1], "sms", "es", "details_sent")] >= 1
    # The details are not a list: "2" is the main menu's second topic again.
    assert phone.send("2").text == sms_text("utter_kyr_door", "es", legal_notice=True)

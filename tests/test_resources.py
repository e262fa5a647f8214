"""The resource directory: complete records, and language-aware choices."""

from __future__ import annotations

from pathlib import Path

from bot.content.resources import resource_directory, resources_for_topic
from bot.content.topics import topics


def test_every_resource_records_source_and_verification() -> None:
    for resource in resource_directory().values():
        assert resource.source, resource.id
        assert isinstance(resource.verified, bool), resource.id
        assert resource.contact_fields(), f"{resource.id} has no contact detail"
        if resource.verified:
            assert resource.verified_on, f"{resource.id} is verified but says not when"


def test_resource_topics_exist() -> None:
    for resource in resource_directory().values():
        assert set(resource.topics) <= set(topics()), resource.id


def test_spanish_speakers_get_spanish_serving_resources_first(data_dir_copy: Path) -> None:
    from tests.conftest import reset_caches

    directory = data_dir_copy / "resources" / "directory.yml"
    text = directory.read_text(encoding="utf-8")
    # An English-only legal-help resource listed first in the directory...
    text = text.replace(
        "  representla:\n",
        '  english_only:\n    name: English Only Help\n    phone: "555-0100"\n'
        "    languages: [en]\n    topics: [legal_help]\n    source: test\n    verified: false\n\n"
        "  representla:\n",
        1,
    )
    directory.write_text(text, encoding="utf-8")
    reset_caches()
    spanish = [r.id for r in resources_for_topic("legal_help", "es")]
    english = [r.id for r in resources_for_topic("legal_help", "en")]
    assert sorted(spanish) == sorted(english)
    # ...comes last for Spanish speakers.
    assert english[0] == "english_only" and spanish[-1] == "english_only"
    served = [("es" in resource_directory()[i].languages) for i in spanish]
    assert served == sorted(served, reverse=True), "every Spanish-serving resource comes first"


def test_topics_listing_resources_have_some() -> None:
    for topic in topics().values():
        if topic.lists_resources:
            assert resources_for_topic(topic.id, "en"), topic.id


def test_contested_and_unverified_contacts_are_marked_unverified() -> None:
    directory = resource_directory()
    # FACTS.md marks these [verify].
    for resource_id in (
        "carecen",
        "lacba_ilap",
        "state_bar",
        "county_oia",
        "ice_locator",
        "ca_doj_misconduct",
    ):
        assert not directory[resource_id].verified, resource_id
    assert not directory["la311"].is_verified("hours")
    # 311's own line is where the notes send people: it carries no note itself.
    assert directory["la311"].confirm_note("phone") is None
    assert directory["emergency_911"].is_verified("phone")

"""Opening hours as data (bot.content.hours): open or closed at the edges, across DST and holidays."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_time

from bot.content.hours import CITY_TIME, HoursError, OpeningHours, parse_hours, status_at
from bot.content.resources import Resource, resource_directory
from bot.language.registry import language_settings
from bot.rendering.renderer import renderer, time_of_day

CITY_311 = {"mon-fri": "07:00-19:00", "sat-sun": "08:00-16:45", "holidays": "08:00-16:45"}


def at(text: str) -> datetime:
    """A wall-clock time in Los Angeles."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TIME)


def hours(raw: object = None) -> OpeningHours:
    parsed = parse_hours("test", CITY_311 if raw is None else raw)
    assert parsed is not None
    return parsed


def test_open_from_the_opening_minute_to_just_before_the_closing_minute() -> None:
    wednesday = hours()
    assert not status_at(wednesday, at("2026-12-02T06:59")).open
    opened = status_at(wednesday, at("2026-12-02T07:00"))
    assert opened.open and opened.until == at("2026-12-02T19:00")
    assert status_at(wednesday, at("2026-12-02T18:59")).open
    closed = status_at(wednesday, at("2026-12-02T19:00"))
    assert not closed.open and closed.opens == at("2026-12-03T07:00")


def test_after_midnight_it_opens_the_same_morning_and_friday_night_it_opens_saturday() -> None:
    assert status_at(hours(), at("2026-12-03T00:00")).opens == at("2026-12-03T07:00")
    assert status_at(hours(), at("2026-12-04T23:30")).opens == at("2026-12-05T08:00")


def test_a_public_holiday_keeps_holiday_hours() -> None:
    # Christmas 2026 is a Friday: weekend hours, not 7 to 7.
    christmas = status_at(hours(), at("2026-12-25T07:30"))
    assert not christmas.open and christmas.opens == at("2026-12-25T08:00")
    assert status_at(hours(), at("2026-12-25T16:00")).until == at("2026-12-25T16:45")
    closed_on_holidays = hours({"mon-fri": "09:00-17:00", "holidays": "closed"})
    # Thanksgiving (Thursday) and the day after are California holidays: next opening is Monday.
    assert status_at(closed_on_holidays, at("2026-11-26T10:00")).opens == at("2026-11-30T09:00")


def test_daylight_saving_changes_keep_wall_clock_hours() -> None:
    # 2026-03-08 (Sunday): clocks go forward at 2 am; 2026-11-01 (Sunday): back at 2 am.
    spring = status_at(hours(), at("2026-03-08T08:00"))
    assert spring.open and spring.until.utcoffset().total_seconds() == -7 * 3600
    assert spring.until == datetime(2026, 3, 8, 23, 45, tzinfo=ZoneInfo("UTC"))
    fall = status_at(hours(), at("2026-11-01T07:59"))
    assert not fall.open and fall.opens == datetime(2026, 11, 1, 16, 0, tzinfo=ZoneInfo("UTC"))


def test_a_moment_in_another_time_zone_is_read_in_los_angeles() -> None:
    utc = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("UTC"))  # 7:00 in Los Angeles
    assert status_at(hours(), utc).open


def test_an_entry_closure_and_a_24_hour_line() -> None:
    closed = hours({**CITY_311, "closed_on": ["2026-12-02"]})
    assert status_at(closed, at("2026-12-02T12:00")).opens == at("2026-12-03T07:00")
    always = status_at(hours("always"), at("2026-12-25T03:00"))
    assert always.open and always.always and always.until is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"mon-fri": "07:00-19:00", "fri": "08:00-09:00", "holidays": "closed"}, "fri is given twice"),
        ({"mon-fry": "07:00-19:00", "holidays": "closed"}, "'mon-fry'"),
        ({"fri-mon": "07:00-19:00", "holidays": "closed"}, "runs backwards"),
        ({"mon": "19:00-07:00", "holidays": "closed"}, "ends before it starts"),
        ({"mon": "7am-7pm", "holidays": "closed"}, "not a range"),
        ({"mon": "07:00-19:00"}, "public holidays"),
        ({"mon": "07:00-19:00", "holidays": "closed", "closed_on": ["soon"]}, "closed_on"),
        ("weekdays", "use `always`"),
    ],
)
def test_a_bad_or_ambiguous_entry_is_an_error_naming_it(raw: object, problem: str) -> None:
    with pytest.raises(HoursError, match="resource 'test'") as error:
        parse_hours("test", raw)
    assert problem in str(error.value)


def test_no_hours_given_means_none_known() -> None:
    assert parse_hours("test", None) is None


# --- what people read: the status after a number, in their language ------------------------------

WEDNESDAY_MORNING = "2026-12-02T10:00"  # 311 open until 7 pm
WEDNESDAY_NIGHT = "2026-12-02T21:00"  # 311 closed, opens Thursday at 7 am


def babel_locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


@pytest.mark.parametrize("language", language_settings().supported)
def test_open_now_and_closed_now_in_every_language(language: str) -> None:
    from bot.rendering.catalogs import catalogs

    for key in ("hours_open_until", "hours_closed_opens", "hours_always", "resource_interpreters"):
        found = catalogs().lookup(key, language, None)
        assert found is not None and found.language == language, f"{key} has no {language} text"
    la311 = resource_directory()["la311"]
    locale = babel_locale(language)
    opened = renderer().resource_status(la311, language, None, at(WEDNESDAY_MORNING))
    until = time_of_day(at("2026-12-02T19:00"), locale, None)
    assert opened.startswith(renderer().text("hours_open_until", language).format(time=until))
    closed = renderer().resource_status(la311, language, None, at(WEDNESDAY_NIGHT))
    thursday = format_date(at("2026-12-03T07:00"), "EEEE", locale=locale)
    opens = time_of_day(at("2026-12-03T07:00"), locale, None)
    assert opens.replace(" ", "") == format_time(at("2026-12-03T07:00"), "short", locale=locale).replace(
        "\u202f", ""
    ).replace(" ", "")
    assert closed.startswith(renderer().text("hours_closed_opens", language).format(day=thursday, time=opens))
    # 311 lists a few languages; for the others it says it has interpreters.
    interpreters = renderer().text("resource_interpreters", language)
    assert (interpreters in opened) == (language not in la311.languages)
    # Hours not known (the directory is silent): nothing is said of them.
    hotline = resource_directory()["hotline"]
    said = renderer().resource_status(hotline, language, None, at(WEDNESDAY_MORNING))
    expected = "" if language in hotline.languages else said
    assert said == expected and not any(
        renderer().text(key, language).split("{")[0] in said
        for key in ("hours_open_until", "hours_closed_opens", "hours_closed", "hours_always")
    )


def test_a_line_that_does_not_serve_the_language_names_the_languages_it_serves() -> None:
    status = renderer().resource_status(resource_directory()["carecen"], "ko", None, at(WEDNESDAY_MORNING))
    assert "스페인어" in status and "영어" in status  # Spanish and English, in Korean
    assert (
        renderer().resource_status(resource_directory()["carecen"], "es", None, at(WEDNESDAY_MORNING)) == ""
    )


def test_web_only_resources_carry_no_status_and_a_list_line_with_hours_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.content import hours as hours_module

    monkeypatch.setattr(hours_module, "city_now", lambda: at(WEDNESDAY_MORNING))
    assert renderer().resource_status(resource_directory()["moia"], "en", None) == ""
    line = renderer().resource_line(resource_directory()["la311"], "en", "sms", notes=False)
    # A plain space before PM: CLDR's narrow no-break space would make an English SMS UCS-2.
    assert line.endswith("(open now, until 7:00 PM)"), line


def test_the_answer_says_it_at_the_hour_it_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.content import hours as hours_module

    monkeypatch.setattr(hours_module, "city_now", lambda: at(WEDNESDAY_MORNING))
    morning = renderer().render("utter_family_support", "en").text
    monkeypatch.setattr(hours_module, "city_now", lambda: at(WEDNESDAY_NIGHT))
    night = renderer().render("utter_family_support", "en").text
    assert "open now, until 7:00" in morning and "closed now, opens Thursday at 7:00" in night


def test_open_lines_that_serve_the_language_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.content import resources

    def line(resource_id: str, languages: tuple[str, ...], raw_hours: object) -> Resource:
        return Resource(
            id=resource_id,
            names={"en": resource_id},
            languages=languages,
            topics=("t",),
            source="test",
            verified=True,
            verified_on="2026-12-01",
            fields={"phone": "(213) 555-0100"},
            hours=parse_hours(resource_id, raw_hours),
        )

    directory = {
        "closed_es": line("closed_es", ("es",), {"mon": "07:00-08:00", "holidays": "closed"}),
        "unknown_es": line("unknown_es", ("es",), None),
        "open_en": line("open_en", ("en",), "always"),
        "open_es": line("open_es", ("es",), "always"),
        "unknown_en": line("unknown_en", ("en",), None),
    }
    monkeypatch.setattr(resources, "resource_directory", lambda: directory)
    ordered = [r.id for r in resources.resources_for_topic("t", "es", at(WEDNESDAY_MORNING))]
    assert ordered == ["open_es", "closed_es", "unknown_es", "open_en", "unknown_en"]


def test_the_shipped_directory_and_holiday_calendar_load() -> None:
    directory = resource_directory()
    assert directory["emergency_911"].hours and directory["emergency_911"].hours.always
    assert directory["la311"].hours and not directory["la311"].is_verified("hours")
    # Susan B. Anthony Day is a California observance, not a day off (data/holidays.yml).
    from datetime import date

    from bot.content.hours import public_holidays

    assert date(2026, 3, 31) in public_holidays(2026) and date(2026, 2, 15) not in public_holidays(2026)


def test_a_bad_entry_in_the_shipped_directory_stops_loading_and_names_it(data_dir_copy: Any) -> None:
    from bot.rendering.nlg import CatalogNLG

    path = data_dir_copy / "resources" / "directory.yml"
    text = path.read_text(encoding="utf-8").replace('mon-fri: "07:00-19:00"', 'mon-fri: "19:00-07:00"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HoursError, match="resource 'la311'"):
        CatalogNLG()  # what a server does at start-up


def test_a_text_list_is_numbered_with_hours_and_one_picked_line_also_says_its_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.content import hours as hours_module

    monkeypatch.setattr(hours_module, "city_now", lambda: at(WEDNESDAY_NIGHT))
    only = renderer().text("resource_only_languages", "ko").split("{")[0].strip() or "만"
    listed = renderer().render("utter_legal_help", "ko", "sms")
    assert "1) " in listed.text and "2) " in listed.text and len(listed.numbered) >= 2
    assert only not in listed.text.split("\n")[1]  # a list of several: hours only
    picked = renderer().render("utter_resource_details", "ko", "sms", resource_ids=["carecen"])
    assert picked.numbered == () and "1) " not in picked.text
    assert "스페인어" in picked.text and "영어" in picked.text  # the languages it serves, in Korean

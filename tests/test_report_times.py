"""'When?' as a time the City can sort: parsed relative to a frozen clock in Los Angeles."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.language.times import CITY_TIMEZONE, DAY, EXACT, PART_OF_DAY, is_a_time, parse_when

# Tuesday 24 November 2026, 14:30 in Los Angeles.
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=CITY_TIMEZONE)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CITY_TIMEZONE)


@pytest.mark.parametrize(
    ("text", "language", "when", "precision"),
    [
        # The examples.
        ("ahorita", "es", at(24, 14, 30), EXACT),
        ("hace 10 minutos", "es", at(24, 14, 20), EXACT),
        ("this morning around 7", "en", at(24, 7), EXACT),
        ("yesterday 3pm", "en", at(23, 15), EXACT),
        ("ayer en la tarde", "es", at(23, 15), PART_OF_DAY),
        # Now, and how people say it.
        ("Right now!!", "en", at(24, 14, 30), EXACT),
        ("ahora mismo", "es", at(24, 14, 30), EXACT),
        ("they are still here, right now", "en", at(24, 14, 30), EXACT),
        # Relative times.
        ("an hour ago", "en", at(24, 13, 30), EXACT),
        ("about 5 minutes ago", "en", at(24, 14, 25), EXACT),
        ("hace como 20 minutos", "es", at(24, 14, 10), EXACT),
        ("hace 2 horas", "es", at(24, 12, 30), EXACT),
        # Parts of the day and clock times.
        ("last night", "en", at(23, 20), PART_OF_DAY),
        ("anoche como a las 11", "es", at(23, 23), EXACT),
        ("hoy en la mañana", "es", at(24, 9), PART_OF_DAY),
        ("esta mañana a las 6:30", "es", at(24, 6, 30), EXACT),
        ("a las 5 de la madrugada", "es", at(24, 5), EXACT),
        ("a las 3 de la tarde", "es", at(23, 15), EXACT),  # 15:00 today is still ahead
        ("this afternoon", "en", at(24, 14, 30), PART_OF_DAY),  # not later than now
        ("at 7", "en", at(24, 7), EXACT),  # 19:00 is ahead: the morning
        ("ayer a las 8", "es", at(23, 20), EXACT),  # the most recent 8 o'clock
        ("at 9pm", "en", at(23, 21), EXACT),  # no day said, and 21:00 today is ahead
        ("3 p.m.", "en", at(23, 15), EXACT),
        # Days.
        ("yesterday", "en", at(23), DAY),
        ("antier", "es", at(22), DAY),
        ("el martes a las 8am", "es", at(17, 8), EXACT),
        ("el sabado pasado en la mañana", "es", at(21, 9), PART_OF_DAY),
        ("11/20 at 5pm", "en", at(20, 17), EXACT),
        ("20 de noviembre", "es", at(20), DAY),
    ],
)
def test_when_is_read_as_a_time_in_los_angeles(
    text: str, language: str, when: datetime, precision: str
) -> None:
    parsed = parse_when(text, language, NOW)
    assert parsed is not None, text
    assert (parsed.at, parsed.precision) == (when, precision)
    assert parsed.at.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("5", "en"),
        ("no sé", "es"),
        ("I don't know", "en"),
        ("the blue car", "en"),
        ("quien sabe", "es"),
        ("", "en"),
    ],
)
def test_what_is_no_time_gets_no_timestamp(text: str, language: str) -> None:
    assert parse_when(text, language, NOW) is None


def test_a_time_in_the_future_or_long_ago_gets_no_timestamp() -> None:
    assert parse_when("tomorrow at 5", "en", NOW) is None
    assert parse_when("March 3 2019", "en", NOW) is None


def test_an_emergency_sentence_is_no_answer_to_when_but_right_now_is() -> None:
    assert is_a_time("right now", "en") and is_a_time("ahorita", "es")
    assert not is_a_time("ICE agents outside my house right now", "en")

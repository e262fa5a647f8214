"""The report form's "When?": a time the City can sort, from what people write.

The text is always kept as typed; this adds a timestamp in America/Los_Angeles
when one can be read, and None otherwise (never an error, never a guess from
a bare number). Dates and relative times ("ayer", "hace 10 minutos",
"yesterday 3pm", "20 de noviembre") are read by dateparser, which knows every
language we will serve and runs offline. What people text goes beyond what
dateparser reads ("ahorita", "this morning around 7", "ayer en la tarde"), so
phrases per language (data/report_form.yml `when`) first rewrite the message
into a day, a part of the day and a clock time:

* "now" words mean the time of the message;
* a part of the day alone means a typical hour (morning 9:00, afternoon 15:00,
  evening 20:00, early morning 4:00), with precision "part_of_day";
* a clock time without am/pm or a part of the day is the most recent such time
  that is not in the future ("at 7" at 14:30 is 7:00; "ayer a las 8" is 20:00;
  "at 9" said at 8:00 is 21:00 yesterday);
* a day without a time is that day at 00:00, with precision "day";
* a result in the future, or more than a year ago, is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.data_files import load_data_file
from bot.language.registry import language_settings
from bot.text import strip_accents

CITY_TIMEZONE = ZoneInfo("America/Los_Angeles")
EXACT, PART_OF_DAY, DAY = "exact", "part_of_day", "day"
MAX_AGE = timedelta(days=366)
FUTURE_TOLERANCE = timedelta(minutes=15)  # phones' clocks and "in a minute"

_AM_PM = re.compile(r"\b([ap])\s*\.?\s*m\b\.?")
_NOT_KEPT = re.compile(r"[^\w\s:/]", re.UNICODE)
_CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?:\s*(?P<ampm>am|pm)\b)?"


@dataclass(frozen=True)
class ParsedTime:
    at: datetime  # timezone-aware, America/Los_Angeles
    precision: str  # EXACT, PART_OF_DAY or DAY


def _when_data() -> dict[str, Any]:
    return load_data_file("report_form.yml").get("when") or {}


def _normalise(text: str) -> str:
    """Lower case, no accents, "p.m." -> "pm", punctuation but ':' and '/' gone."""
    text = _AM_PM.sub(lambda m: f" {m.group(1)}m ", strip_accents(text).casefold())
    return " ".join(_NOT_KEPT.sub(" ", text).split())


def _phrases(entry: Any, language: str) -> list[str]:
    """The phrases of `entry` for this language, then the others', longest first."""
    if not isinstance(entry, dict):
        return []
    ordered = [entry.get(language) or []] + [v for k, v in entry.items() if k != language]
    seen: list[str] = []
    for phrases in ordered:
        for phrase in phrases if isinstance(phrases, list) else []:
            normal = _normalise(str(phrase))
            if normal and normal not in seen:
                seen.append(normal)
    return sorted(seen, key=len, reverse=True)


def _day_phrases(data: dict[str, Any], language: str) -> dict[str, tuple[str, str | None]]:
    """'anoche' -> ('ayer', 'evening'): this language's phrases first, then the others'."""
    days = data.get("days") or {}
    found: dict[str, tuple[str, str | None]] = {}
    for code in [language, *(k for k in days if k != language)]:
        for phrase, (day, *part) in (days.get(code) or {}).items():
            found.setdefault(_normalise(str(phrase)), (str(day), str(part[0]) if part else None))
    return found


def _remove(text: str, phrase: str) -> tuple[str, bool]:
    pattern = rf"(?<!\S){re.escape(phrase)}(?!\S)"
    new = re.sub(pattern, " ", text, count=1)
    return " ".join(new.split()), new != text


def parse_when(
    text: str, language: str, now: datetime | None = None, now_words_anywhere: bool = True
) -> ParsedTime | None:
    """The time `text` names, relative to `now` (default: the present), or None.

    With `now_words_anywhere`, a sentence holding a "now" word ("they are
    still here right now") means now; without, only a message that is a time.
    """
    now = (now or datetime.now(CITY_TIMEZONE)).astimezone(CITY_TIMEZONE)
    data = _when_data()
    rest = _normalise(text)
    if not rest:
        return None
    if rest in _phrases(data.get("now"), language):
        return ParsedTime(now.replace(second=0, microsecond=0), EXACT)

    # A day with a part of the day in one phrase ("anoche", "this morning").
    day_words: list[str] = []
    part: str | None = None
    day_phrases = _day_phrases(data, language)
    for phrase in sorted(day_phrases, key=len, reverse=True):
        rest, found = _remove(rest, phrase)
        if found:
            day_words.append(day_phrases[phrase][0])
            part = day_phrases[phrase][1]
            break
    for name, entry in (data.get("parts") or {}).items():
        for phrase in _phrases(entry, language):
            rest, found = _remove(rest, phrase)
            if found:
                part = part or str(name)
    parts = data.get("parts") or {}

    # A clock time: with minutes, am/pm, a marker ("a las 3") or a part of the
    # day; never a number of minutes or hours ("about 5 minutes ago").
    hour: int | None = None
    minute = 0
    ambiguous = False
    markers = "|".join(re.escape(m) for m in _phrases(data.get("clock_markers"), language))
    units = "|".join(re.escape(u) for u in _phrases(data.get("units"), language))
    clock = re.search(
        rf"(?<!\S)(?:(?P<marker>{markers or '(?!)'})\s+)?{_CLOCK}(?!\S)(?!\s+(?:{units or '(?!)'})(?!\S))",
        rest,
    )
    if clock and (clock["marker"] or clock["minute"] or clock["ampm"] or part):
        hour, minute = int(clock["hour"]), int(clock["minute"] or 0)
        if hour > 23 or minute > 59:
            return None
        if clock["ampm"]:
            hour = hour % 12 + (12 if clock["ampm"] == "pm" else 0)
        elif part and hour <= 12:
            hour = hour % 12 + (12 if (parts.get(part) or {}).get("after_noon") else 0)
        else:
            ambiguous = hour <= 12
        rest = " ".join((rest[: clock.start()] + " " + rest[clock.end() :]).split())

    day_text = " ".join([*day_words, rest]).strip()
    if day_text and not re.search(r"[^\W\d_]|/", day_text):
        if hour is None:
            return None  # a bare number ("5") is no date
        day_text = ""
    parsed: tuple[datetime, str] | None = (now, DAY) if hour is not None or part else None
    if day_text:
        parsed = _day(day_text, language, now)
    if parsed is None:
        return _now_words(text, language, now, data) if now_words_anywhere else None
    moment, precision = parsed

    if hour is not None:
        base = moment.replace(hour=hour, minute=minute, second=0, microsecond=0)
        options = [base]
        if ambiguous:  # 7 is 7:00 or 19:00: the most recent that is not ahead
            options.append(base + timedelta(hours=12) if hour < 12 else base - timedelta(hours=12))
        if not day_text:  # no day named: today, or else yesterday ("at 9pm", said at 8am)
            options += [option - timedelta(days=1) for option in options]
        past = [option for option in options if option <= now + FUTURE_TOLERANCE]
        moment, precision = (max(past) if past else base), EXACT
    elif part in parts and precision == DAY:
        moment = moment.replace(hour=int(parts[part].get("hour", 12)), minute=0, second=0, microsecond=0)
        moment, precision = (
            min(moment, now.replace(second=0, microsecond=0)),
            PART_OF_DAY,
        )  # "this afternoon", at 14:30
    elif precision == DAY:
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)

    if not (now - MAX_AGE <= moment <= now + FUTURE_TOLERANCE):
        return None
    return ParsedTime(moment, precision)


def _day(text: str, language: str, now: datetime) -> tuple[datetime, str] | None:
    """dateparser's reading of a day or a relative time, with its precision."""
    fillers = _phrases(_when_data().get("fillers"), language)
    candidates = [text]
    without = text
    for filler in fillers:
        without = _remove(without, filler)[0]
    if without and without != text:
        candidates.append(without)
    languages = [language, *(code for code in language_settings().supported if code != language)]
    parser = DateDataParser(
        languages=languages,
        settings={
            "TIMEZONE": str(CITY_TIMEZONE),
            "TO_TIMEZONE": str(CITY_TIMEZONE),
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    for candidate in candidates:
        if not re.search(r"[^\W\d_]|/", candidate):
            continue
        data = parser.get_date_data(candidate)
        if data.date_obj is not None:
            moment = data.date_obj.astimezone(CITY_TIMEZONE)
            # dateparser calls "2 hours ago" a "day" period too: a result that is
            # neither midnight (a date) nor whole days from now had a time in it.
            now_minute, moment_minute = (
                now.replace(second=0, microsecond=0),
                moment.replace(second=0, microsecond=0),
            )
            has_time = (now_minute - moment_minute) % timedelta(days=1) and moment_minute.time() != time(0)
            return moment, (EXACT if data.period == "time" or has_time else DAY)
    return None


def _now_words(text: str, language: str, now: datetime, data: dict[str, Any]) -> ParsedTime | None:
    """'right now', 'ahorita', 'they are still here': the time of the message."""
    normal = _normalise(text)
    for phrase in _phrases(data.get("now"), language):
        if re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", normal):
            return ParsedTime(now.replace(second=0, microsecond=0), EXACT)
    return None


def is_a_time(text: str, language: str) -> bool:
    """Whether the whole message reads as a time ("right now", "ayer a las 3")."""
    return parse_when(text, language, now_words_anywhere=False) is not None

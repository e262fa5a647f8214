"""Opening hours as data: whether a resource is open at a moment, and when that changes.

Each directory entry may carry `opening_hours` (data/resources/*.yml), in
America/Los_Angeles time:

    opening_hours: always                 # a 24-hour line
    opening_hours:
      mon-fri: "07:00-19:00"              # day ranges or single days (mon..sun)
      sat-sun: "08:00-16:45"
      holidays: "08:00-16:45"             # on public holidays: a range, or "closed"
      closed_on: ["2026-12-24"]           # this entry's own closures

Public holidays are those of data/holidays.yml: the `holidays` package's
calendar for the United States, California, adjusted there. A day with no
range is closed. An entry without
`opening_hours` has no known hours, and the bot says so.

The directory is checked when it is loaded: a bad or ambiguous entry (a day
given twice, an unknown day, a range that ends before it starts) is an error
that names the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from bot.caches import KeyedCache
from bot.data_files import load_data_file

CITY_TIME = ZoneInfo("America/Los_Angeles")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "always"
CLOSED = "closed"
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# How far ahead to look for the next opening (a long closure still finds one).
LOOK_AHEAD_DAYS = 14


class HoursError(ValueError):
    """An opening_hours entry that cannot be read one way only."""


@dataclass(frozen=True)
class Span:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise HoursError(f"{self.opens:%H:%M}-{self.closes:%H:%M} ends before it starts")


@dataclass(frozen=True)
class OpeningHours:
    always: bool = False
    weekly: dict[int, Span] = field(default_factory=dict)  # weekday (0 = Monday) -> span
    holidays: Span | None = None  # on public holidays; None: closed
    closed_on: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Status:
    """Open or closed at a moment, and the next change (None for a 24-hour line)."""

    open: bool
    always: bool = False
    until: datetime | None = None  # open: when it closes
    opens: datetime | None = None  # closed: when it opens next (None: not within two weeks)


def city_now() -> datetime:
    """Now, in Los Angeles (tests fix the time by replacing this)."""
    return datetime.now(CITY_TIME)


def _span(text: str, where: str) -> Span:
    match = _RANGE.match(str(text).strip())
    if not match:
        raise HoursError(f"{where}: {text!r} is not a range like 07:00-19:00")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        return Span(time(h1, m1), time(h2, m2))
    except ValueError as error:  # 25:00, or a range that ends before it starts
        raise HoursError(f"{where}: {text!r}: {error}") from None


def _days(key: str, where: str) -> list[int]:
    first, _, last = key.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise HoursError(f"{where}: {key!r} is not a day or a range of days (mon..sun)")
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise HoursError(f"{where}: {key!r} runs backwards")
    return list(range(start, end + 1))


def parse_hours(resource_id: str, raw: Any) -> OpeningHours | None:
    """An entry's opening_hours, checked; None when the entry gives none."""
    where = f"resource {resource_id!r}, opening_hours"
    if raw is None:
        return None
    if raw == ALWAYS:
        return OpeningHours(always=True)
    if not isinstance(raw, dict):
        raise HoursError(f"{where}: use `always` or a mapping of days to ranges")
    weekly: dict[int, Span] = {}
    holiday_span: Span | None = None
    closed_on: set[date] = set()
    for key, value in raw.items():
        if key == "holidays":
            holiday_span = None if value == CLOSED else _span(value, f"{where}, holidays")
        elif key == "closed_on":
            try:
                closed_on = {date.fromisoformat(str(day)) for day in value}
            except (TypeError, ValueError) as error:
                raise HoursError(f"{where}, closed_on: {error}") from None
        else:
            for day in _days(str(key), where):
                if day in weekly:
                    raise HoursError(f"{where}: {DAYS[day]} is given twice")
                weekly[day] = _span(value, f"{where}, {key}")
    if "holidays" not in raw:
        raise HoursError(f"{where}: say what happens on public holidays (a range, or `closed`)")
    return OpeningHours(weekly=weekly, holidays=holiday_span, closed_on=frozenset(closed_on))


def _holidays_of(year: int) -> frozenset[date]:
    settings = load_data_file("holidays.yml")
    calendar = holidays.country_holidays(settings["country"], subdiv=settings.get("subdivision"), years=year)
    not_days_off = set(settings.get("not_days_off") or [])
    days = {
        day for day, name in calendar.items() if not any(part in not_days_off for part in name.split("; "))
    }
    days |= {
        date.fromisoformat(str(day))
        for day in (settings.get("extra") or {})
        if str(day).startswith(str(year))
    }
    return frozenset(days)


_public_holidays = KeyedCache("public holidays by year", _holidays_of, max_size=8)


def public_holidays(year: int) -> frozenset[date]:
    return _public_holidays.get(year)


def span_on(hours: OpeningHours, day: date) -> Span | None:
    """The hours of one calendar day in the City (None: closed all day)."""
    if day in hours.closed_on:
        return None
    if day in public_holidays(day.year):
        return hours.holidays
    return hours.weekly.get(day.weekday())


def status_at(hours: OpeningHours, moment: datetime) -> Status:
    """Open or closed at `moment` (any time zone), with the next change in City time."""
    if hours.always:
        return Status(open=True, always=True)
    now = moment.astimezone(CITY_TIME)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = now.date() + timedelta(days=offset)
        span = span_on(hours, day)
        if span is None:
            continue
        # Wall-clock times of that day in Los Angeles: zoneinfo applies that day's offset (DST).
        opens = datetime.combine(day, span.opens, CITY_TIME)
        closes = datetime.combine(day, span.closes, CITY_TIME)
        if offset == 0 and opens <= now < closes:
            return Status(open=True, until=closes)
        if now < opens:
            return Status(open=False, opens=opens)
    return Status(open=False)

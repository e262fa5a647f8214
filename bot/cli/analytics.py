"""`python -m bot analytics --since 2026-11-01 --until 2026-11-30 --out report.html`

Options: `--format html|csv|json`, `--language en|es`, `--demo`.

The City's report from the anonymous counts (bot/analytics): small counts
suppressed; HTML with its charts and tables, or the same figures as CSV or
JSON for the City's own tools. `--demo` first fills a throwaway database with
simulated traffic (`make analytics-demo`).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.analytics import counters, report
from bot.content.hours import CITY_TIME
from bot.content.topics import topics


def simulate(since: date, until: date, seed: int = 17) -> None:
    """Traffic of several languages, channels, topics and days, counted as conversations count it."""
    rng = random.Random(seed)
    languages = {"en": 40, "es": 35, "ko": 6, "zh-Hant": 5, "tl": 4, "vi": 4, "hy": 3, "fa": 3}
    channels = {"sms": 60, "voice": 30, "chat": 10}
    topic_ids = [topic.id for topic in topics().values()]
    day = since
    while day <= until:
        when = datetime.combine(day, time(12), CITY_TIME)
        for _ in range(rng.randint(40, 160)):
            language = rng.choices(list(languages), weights=list(languages.values()))[0]
            channel = rng.choices(list(channels), weights=list(channels.values()))[0]
            if rng.random() < 0.12:
                counters.count("fallback", language=language, channel=channel, when=when)
            else:
                topic = rng.choice(topic_ids)
                counters.count(
                    counters.QUESTION_ANSWERED, topic=topic, language=language, channel=channel, when=when
                )
            if channel == "sms":
                counters.count(
                    counters.SMS_SEGMENTS, channel="sms", amount=rng.choice((1, 2, 2, 3)), when=when
                )
        for metric, share in (("report_started", 6), ("report_completed", 4), ("report_cancelled", 1)):
            for _ in range(rng.randint(0, share)):
                counters.count(metric, language=rng.choice(("en", "es")), channel="sms", when=when)
        day += timedelta(days=1)


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot analytics", description=__doc__)
    today = datetime.now(CITY_TIME).date()
    parser.add_argument("--since", type=date.fromisoformat, default=today - timedelta(days=29))
    parser.add_argument("--until", type=date.fromisoformat, default=today)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=("html", "csv", "json"), default="html")
    parser.add_argument("--language", choices=("en", "es"), default="en")
    parser.add_argument("--demo", action="store_true", help="simulated traffic in a throwaway database")
    options = parser.parse_args(args)
    if options.demo:
        folder = Path(tempfile.mkdtemp(prefix="kyr-analytics-demo-"))
        os.environ[counters.URL_SETTING] = f"sqlite:///{folder / 'analytics.db'}"
        simulate(options.since, options.until)
    sections = report.sections(counters.counts(options.since, options.until), options.since, options.until)
    if options.format == "csv":
        text = report.to_csv(sections, options.language)
    elif options.format == "json":
        text = report.to_json(sections, options.language, options.since, options.until)
    else:
        text = report.to_html(sections, options.language, options.since, options.until)
    options.out.write_text(text, encoding="utf-8")
    print(f"{options.out}: {len(text) // 1024} KB ({options.format}, {options.language})")
    return 0

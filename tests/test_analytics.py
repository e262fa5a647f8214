"""What the City learns (bot/analytics): counts written by real conversations, small counts that
cannot be worked out, and a self-contained page that draws in a real browser."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analytics import counters, report
from bot.analytics.suppression import SUPPRESSED, THRESHOLD, Table, suppress
from bot.content.hours import CITY_TIME
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import INSTALL_ADVICE

ONE_DAY = timedelta(days=1)


def today() -> date:
    return datetime.now(CITY_TIME).date()


def recent_counts() -> list[dict[str, Any]]:
    """Cells of yesterday, today and tomorrow: a test may run across midnight in Los Angeles."""
    return counters.counts(today() - ONE_DAY, today() + ONE_DAY)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def fresh_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    counters.flush()  # what earlier tests counted goes where they counted it
    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv(counters.URL_SETTING, url)
    return url


# --- suppression: try to recover a hidden cell, and fail -------------------------------------------


def recovered(table: Table) -> list[tuple[str, str, int]]:
    """Every hidden cell an attacker can work out from what is shown, line by line."""
    found = []
    lines = [
        ([(row, column) for column in table.columns], table.shown_row_total(row)) for row in table.rows
    ] + [
        ([(row, column) for row in table.rows], table.shown_column_total(column)) for column in table.columns
    ]
    for cells, total in lines:
        if not isinstance(total, int):
            continue
        hidden = [cell for cell in cells if table.shown(*cell) == SUPPRESSED]
        left = total - sum(v for cell in cells if isinstance(v := table.shown(*cell), int))
        if len(hidden) == 1:
            found.append((*hidden[0], left))
        elif hidden and left == len(hidden):  # every hidden cell is at least 1: all ones
            found.extend((*cell, 1) for cell in hidden)
    # The totals' own line: the grand total over the row (or column) totals.
    for totals in (
        [table.shown_row_total(r) for r in table.rows],
        [table.shown_column_total(c) for c in table.columns],
    ):
        grand = table.shown_grand_total()
        hidden_totals = [t for t in totals if t == SUPPRESSED]
        if isinstance(grand, int) and len(hidden_totals) == 1 and len(totals) > 1:
            found.append(("total", "total", grand - sum(t for t in totals if isinstance(t, int))))
    return found


def random_table(rng: random.Random) -> Table:
    rows = [f"r{n}" for n in range(rng.randint(1, 6))]
    columns = [f"c{n}" for n in range(rng.randint(1, 6))]
    values = {(r, c): rng.choice([0, 0, 1, 2, 3, 5, 8, 9, 10, 12, 30, 100]) for r in rows for c in columns}
    return Table(rows=rows, columns=columns, values=values)


def test_no_hidden_small_count_can_be_worked_out_from_the_published_figures() -> None:
    rng = random.Random(17)
    for _ in range(500):
        table = suppress(random_table(rng))
        for (row, column), value in table.values.items():
            if 0 < value < THRESHOLD:
                assert table.shown(row, column) == SUPPRESSED
        assert recovered(table) == [], (table.values, table.hidden)


def test_the_attack_works_on_a_table_with_only_primary_suppression() -> None:
    """The attacker above can fail only because of the complementary suppression."""
    table = Table(rows=["a", "b", "c"], columns=["x"], values={("a", "x"): 3, ("b", "x"): 40, ("c", "x"): 50})
    table.hidden.add(("a", "x"))  # primary suppression alone
    assert set(recovered(table)) == {("a", "x", 3)}
    assert recovered(suppress(Table(table.rows, table.columns, dict(table.values)))) == []


# --- counts written by real conversations, and the page built from them ---------------------------


def test_real_conversations_write_counts_and_the_page_is_built_from_them(
    fresh_counts: str, new_conversation: Any, reports_db: str
) -> None:
    for _ in range(11):  # eleven people ask in English, eleven in Spanish: counts that can be shown
        new_conversation().say("ICE is at my door what do I do")
        new_conversation().say("la migra esta en mi puerta")
    new_conversation().say("😀😀😀")  # not understood
    new_conversation().say("Olá, preciso de ajuda com a imigração")  # a language not served
    cells = recent_counts()
    by: dict[tuple[Any, ...], int] = {}
    for c in cells:
        key = (c["metric"], c["topic"], c["language"], c["channel"])
        by[key] = by.get(key, 0) + c["count"]
    assert by[("question_answered", "kyr_door", "en", "chat")] == 11
    assert by[("question_answered", "kyr_door", "es", "chat")] == 11
    assert sum(c["count"] for c in cells if c["metric"] == "fallback") == 1
    assert sum(c["count"] for c in cells if c["metric"] == "unsupported_language") >= 1
    # Nothing that could identify anyone is stored: only these columns exist.
    assert set(cells[0]) == {"day", "metric", "topic", "language", "channel", "count"}
    since, until = today() - ONE_DAY, today() + ONE_DAY
    sections = report.sections(cells, since, until)
    figures = {(f["table"], f["row"], f["column"]): f["value"] for f in report.published(sections, "en")}
    assert figures[("questions_by_language", "en", "all")] == 11
    assert figures[("questions_by_language", "es", "all")] == 11
    assert figures[("headline", "Messages not understood", "all")] == SUPPRESSED
    page = report.to_html(sections, "es", since, until)
    assert "Preguntas respondidas por idioma" in page and "<td>11</td>" in page and "<td>&lt;10</td>" in page
    for rows in (json.loads(report.to_json(sections, "en", since, until))["figures"], csv_rows(sections)):
        assert not any(str(row["value"]) in {str(n) for n in range(1, THRESHOLD)} for row in rows)


def csv_rows(sections: list[report.Section]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(report.to_csv(sections, "en"))))


def test_counts_wait_a_few_seconds_then_go_in_one_write(
    fresh_counts: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counters.flush()
    monkeypatch.setattr(counters, "FLUSH_INTERVAL_S", 3600.0)
    counters.count("fallback", language="en", channel="sms")
    counters.count("fallback", language="en", channel="sms")
    assert counters._pending.cells  # not written yet
    monkeypatch.setattr(counters, "FLUSH_INTERVAL_S", 0.0)
    counters.count("fallback", language="en", channel="sms")  # due: all three written
    assert counters._pending.cells == {}
    assert sum(c["count"] for c in recent_counts()) == 3


def test_the_channels_count_sms_segments_and_transfers(fresh_counts: str) -> None:
    counters.count(counters.SMS_SEGMENTS, channel="sms", amount=3)
    counters.count(counters.SMS_SEGMENTS, channel="sms", amount=2)
    cells = recent_counts()
    assert {c["metric"] for c in cells} == {"sms_segments"} and sum(c["count"] for c in cells) == 5


def test_counts_are_kept_two_years_then_purged(fresh_counts: str) -> None:
    old = datetime.combine(today() - timedelta(days=800), datetime.min.time(), CITY_TIME)
    counters.count("fallback", language="en", channel="sms", when=old)
    counters.count("fallback", language="en", channel="sms")
    assert counters.purge() == 1
    days = [c["day"] for c in counters.counts(today() - timedelta(days=900), today() + ONE_DAY)]
    assert len(days) == 1 and days[0] >= today() - ONE_DAY


def test_a_failed_count_never_breaks_a_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(counters.URL_SETTING, "sqlite:////nonexistent-folder/x/analytics.db")
    counters.count("fallback", language="en", channel="sms")
    counters.flush()  # logged, not raised


# --- the page in a real browser ---------------------------------------------------------------------

DEMO_SINCE, DEMO_UNTIL = date(2026, 11, 2), date(2026, 11, 29)


def browser(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--virtual-time-budget=8000",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def page_problems(console: str) -> list[str]:
    """Console lines that show a script error or a request the page tried to make."""
    return [
        line
        for line in console.splitlines()
        if "CONSOLE" in line
        and any(word in line for word in ("Refused to", "violates", "blocked", "Uncaught", "Error", "net::"))
    ]


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("KYR_REQUIRE_SERVICES"):
            pytest.fail(f"Chromium is not installed: {INSTALL_ADVICE}")
        pytest.skip(f"Chromium is not installed (Debian package chromium): {INSTALL_ADVICE}")
    out = tmp_path_factory.mktemp("analytics") / "report.html"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop(counters.URL_SETTING, None)
    subprocess.run(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            "-m",
            "bot",
            "analytics",
            "--demo",
            "--since",
            DEMO_SINCE.isoformat(),
            "--until",
            DEMO_UNTIL.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
    )
    return out


def test_every_chart_draws_with_no_script_error_and_no_request(demo_page: Path) -> None:
    dom = browser(demo_page, "--dump-dom")
    drawn = re.search(r'data-charts-drawn="(\d+)/(\d+)"', dom.stdout)
    assert drawn and drawn.group(1) == drawn.group(2) == "7", drawn and drawn.group(0)
    assert page_problems(dom.stderr) == []
    # No element of the page points anywhere: its script and styles are inline
    # (plotly's own script holds web addresses in strings, for links a user may click).
    markup = re.sub(r"<script[^>]*>.*?</script>", "", demo_page.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', markup)
    shot_dir = PROJECT_ROOT / "results" / "analytics"
    shot_dir.mkdir(parents=True, exist_ok=True)
    shot = browser(
        demo_page, "--hide-scrollbars", "--window-size=1280,3200", f"--screenshot={shot_dir / 'demo.png'}"
    )
    assert shot.returncode == 0 and (shot_dir / "demo.png").stat().st_size > 50_000


def test_the_browser_check_sees_a_request_the_page_tries_to_make(demo_page: Path, tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.html"
    text = demo_page.read_text(encoding="utf-8")
    leaky.write_text(
        text.replace("</body>", '<img src="http://127.0.0.1:9/pixel.png"></body>'), encoding="utf-8"
    )
    assert page_problems(browser(leaky, "--dump-dom").stderr) != []

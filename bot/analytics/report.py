"""The City's report from the anonymous counts: tables with small counts suppressed, as HTML, CSV or JSON.

Every figure published goes through bot.analytics.suppression first; the
HTML page draws each table with plotly (its library embedded in the page: no
request leaves it) and shows the table itself beside the chart, for screen
readers and for the City's own checks. `python -m bot analytics` (bot/cli/analytics.py).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from bot.analytics.counters import METRICS, QUESTION_ANSWERED, SMS_SEGMENTS
from bot.analytics.suppression import SUPPRESSED, Table, suppress
from bot.data_files import load_data_file

ALL = "all"  # the one column of a table that has no second dimension
REPORT_METRICS = ("report_started", "report_completed", "report_cancelled")
# No request may leave the page: scripts and styles are inline, images data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)


@dataclass
class Section:
    key: str  # the label key of its title
    table: Table
    row_label: str
    column_label: str
    chart: str  # "bar" (one bar per row), "rate" (a share per row) or "stacked"
    series: str = "columns"  # stacked: one series per column (along the rows), or per row ("rows")


def labels(language: str) -> dict[str, Any]:
    return load_data_file("analytics.yml")["labels"][language]


def _table(cells: list[dict[str, Any]], metric: str, row: str, column: str | None) -> Table:
    values: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        if cell["metric"] == metric:
            key = (str(cell[row]), str(cell[column]) if column else ALL)
            values[key] += int(cell["count"])
    rows = sorted({r for r, _ in values})
    columns = sorted({c for _, c in values}) or [ALL]
    return suppress(Table(rows=rows, columns=columns, values=dict(values)))


def week_of(day: date) -> str:
    """The Monday of `day`'s week: over time, counts are published by week (daily cells are mostly <10)."""
    return (day - timedelta(days=day.weekday())).isoformat()


def sections(cells: list[dict[str, Any]], since: date, until: date) -> list[Section]:
    for cell in cells:
        day = cell["day"] if isinstance(cell["day"], date) else date.fromisoformat(str(cell["day"]))
        cell["day"], cell["week"] = day.isoformat(), week_of(day)
    headline_values: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        headline_values[(cell["metric"], ALL)] += int(cell["count"])
    headline = suppress(
        Table(
            rows=[m for m in METRICS if (m, ALL) in headline_values],
            columns=[ALL],
            values=dict(headline_values),
        )
    )
    by_topic_week = _table(cells, QUESTION_ANSWERED, "topic", "week")
    reports_values: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        if cell["metric"] in REPORT_METRICS:
            reports_values[(cell["week"], cell["metric"])] += int(cell["count"])
    reports = suppress(
        Table(
            rows=sorted({d for d, _ in reports_values}),
            columns=[m for m in REPORT_METRICS if any(k[1] == m for k in reports_values)],
            values=dict(reports_values),
        )
    )
    return [
        Section("headline", headline, "metric", "count", "bar"),
        Section("questions_by_topic_over_time", by_topic_week, "topic", "week", "stacked", series="rows"),
        Section(
            "questions_by_language",
            _table(cells, QUESTION_ANSWERED, "language", None),
            "language",
            "count",
            "bar",
        ),
        Section(
            "questions_by_channel",
            _table(cells, QUESTION_ANSWERED, "channel", None),
            "channel",
            "count",
            "bar",
        ),
        Section("fallback_rate_by_language", _fallback_table(cells), "language", "count", "rate"),
        Section("reports_by_week", reports, "week", "metric", "stacked"),
        Section("sms_segments_by_day", _table(cells, SMS_SEGMENTS, "day", None), "day", "count", "bar"),
    ]


def _fallback_table(cells: list[dict[str, Any]]) -> Table:
    """Per language: messages not understood and questions answered (the rate: from shown figures)."""
    values: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        if cell["metric"] in ("fallback", QUESTION_ANSWERED):
            values[(str(cell["language"]), cell["metric"])] += int(cell["count"])
    rows = sorted({r for r, _ in values})
    return suppress(Table(rows=rows, columns=["fallback", QUESTION_ANSWERED], values=dict(values)))


def rate(table: Table, row: str) -> str:
    """The share not understood, only from figures that are shown."""
    fallbacks, answered = table.shown(row, "fallback"), table.shown(row, QUESTION_ANSWERED)
    if not isinstance(fallbacks, int) or not isinstance(answered, int) or fallbacks + answered == 0:
        return SUPPRESSED if SUPPRESSED in (fallbacks, answered) else "-"
    return f"{100 * fallbacks / (fallbacks + answered):.0f}%"


def published(section_list: list[Section], language: str) -> list[dict[str, Any]]:
    """Every published figure, as the CSV and JSON give them (suppressed: "<10")."""
    metric_names = labels(language)["metrics"]
    rows = []
    for section in section_list:
        table = section.table
        for row in table.rows:
            for column in table.columns:
                name = metric_names.get(row, row) if section.key == "headline" else row
                rows.append(
                    {"table": section.key, "row": name, "column": column, "value": table.shown(row, column)}
                )
            if len(table.columns) > 1:
                rows.append(
                    {"table": section.key, "row": row, "column": "total", "value": table.shown_row_total(row)}
                )
        rows.append(
            {"table": section.key, "row": "total", "column": "total", "value": table.shown_grand_total()}
        )
    return rows


def to_csv(section_list: list[Section], language: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["table", "row", "column", "value"])
    writer.writeheader()
    writer.writerows(published(section_list, language))
    return out.getvalue()


def to_json(section_list: list[Section], language: str, since: date, until: date) -> str:
    return json.dumps(
        {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "figures": published(section_list, language),
        },
        ensure_ascii=False,
        indent=1,
    )


def _figure(section: Section, words: dict[str, Any]) -> go.Figure:
    table, names = section.table, words["metrics"]
    figure = go.Figure()
    if section.chart == "stacked":
        by_row = section.series == "rows"
        along = table.columns if by_row else table.rows  # the weeks
        for name in table.rows if by_row else table.columns:
            shown = [table.shown(name, x) if by_row else table.shown(x, name) for x in along]
            # A hidden cell adds nothing to its bar; its table says "<10".
            figure.add_bar(
                name=names.get(name, name), x=along, y=[v if isinstance(v, int) else 0 for v in shown]
            )
        figure.update_layout(barmode="stack")
    elif section.chart == "rate":
        values = [rate(table, row) for row in table.rows]
        figure.add_bar(x=table.rows, y=[float(v[:-1]) if v.endswith("%") else 0 for v in values])
        figure.update_yaxes(ticksuffix="%")
    else:
        shown = [table.shown(row, ALL) for row in table.rows]
        x = [names.get(row, row) for row in table.rows] if section.key == "headline" else table.rows
        figure.add_bar(x=x, y=[v if isinstance(v, int) else 0 for v in shown])
    figure.update_layout(
        title=words[section.key] if section.key != "headline" else words["headline"],
        height=360,
        margin={"l": 40, "r": 20, "t": 50, "b": 80},
        template="plotly_white",
    )
    return figure


def _cell(value: int | str) -> str:
    return html.escape(str(value))  # "<10" is text, not markup


def _html_table(section: Section, words: dict[str, Any]) -> str:
    table, names = section.table, words["metrics"]
    header_row = words.get(section.row_label, section.row_label)
    if section.chart == "rate":
        head = f"<tr><th scope='col'>{html.escape(header_row)}</th><th scope='col'>{words['rate']}</th></tr>"
        body = "".join(
            f"<tr><th scope='row'>{html.escape(row)}</th><td>{html.escape(rate(table, row))}</td></tr>"
            for row in table.rows
        )
        return f"<table><caption>{html.escape(words[section.key])}</caption>{head}{body}</table>"
    columns = table.columns
    column_names = [words["count"] if c == ALL else names.get(c, c) for c in columns]
    totals = len(columns) > 1
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in column_names)
    head = f"<tr><th scope='col'>{html.escape(header_row)}</th>{head}" + (
        f"<th scope='col'>{words['total']}</th></tr>" if totals else "</tr>"
    )
    body = ""
    for row in table.rows:
        name = names.get(row, row) if section.key == "headline" else row
        cells = "".join(f"<td>{_cell(table.shown(row, c))}</td>" for c in columns)
        total = f"<td>{_cell(table.shown_row_total(row))}</td>" if totals else ""
        body += f"<tr><th scope='row'>{html.escape(str(name))}</th>{cells}{total}</tr>"
    if section.key != "headline":
        column_totals = "".join(f"<td>{_cell(table.shown_column_total(c))}</td>" for c in columns)
        grand = f"<td>{_cell(table.shown_grand_total())}</td>" if totals else ""
        body += f"<tr><th scope='row'>{words['total']}</th>{column_totals}{grand}</tr>"
    caption = words["headline"] if section.key == "headline" else words[section.key]
    return f"<table><caption>{html.escape(caption)}</caption>{head}{body}</table>"


def to_html(section_list: list[Section], language: str, since: date, until: date) -> str:
    words = labels(language)
    parts = []
    for number, section in enumerate(section_list):
        figure = _figure(section, words)
        chart = figure.to_html(
            full_html=False,
            include_plotlyjs=number == 0,  # the library once, inline: the page needs no server
            div_id=f"chart-{section.key}",
            config={"displaylogo": False, "responsive": True},
        )
        table = _html_table(section, words)
        parts.append(f"<section><div class='chart'>{chart}</div><div class='table'>{table}</div></section>")
    period = words["period"].format(since=since.isoformat(), until=until.isoformat())
    count = len(section_list)
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<title>{html.escape(words["title"])}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
section {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1em; align-items: start;
  margin-bottom: 2em; border-top: 1px solid #ccc; padding-top: 0.5em; }}
@media (max-width: 800px) {{ section {{ grid-template-columns: minmax(0, 1fr); }} }}
.table {{ overflow-x: auto; max-height: 420px; overflow-y: auto; }}
table {{ border-collapse: collapse; font-size: 0.9em; }} caption {{ text-align: left; font-weight: bold; }}
th, td {{ border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: right; }}
th[scope=row] {{ text-align: left; }}
</style>
</head>
<body>
<h1>{html.escape(words["title"])}</h1>
<p>{html.escape(period)}</p>
{"".join(parts)}
<script>
// For the page's test: how many charts plotly drew (each has its SVG).
window.addEventListener("load", function () {{
  setTimeout(function () {{
    var drawn = document.querySelectorAll(".plotly-graph-div .main-svg").length > 0
      ? Array.from(document.querySelectorAll(".plotly-graph-div")).filter(function (d) {{
          return d.querySelector(".main-svg"); }}).length : 0;
    document.body.setAttribute("data-charts-drawn", drawn + "/{count}");
  }}, 500);
}});
</script>
</body>
</html>
"""

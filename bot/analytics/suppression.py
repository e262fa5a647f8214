"""Small counts are not published: any cell below 10 is "<10", and no published figure gives it away.

Primary suppression hides every count from 1 to 9 (a zero is shown: it
identifies no one). Complementary suppression then hides more, line by line
(each row and each column with its published total), until in every line
either nothing is hidden, or at least two cells are hidden and together they
hold at least 10: a total minus the shown cells then never equals one hidden
cell, and the hidden ones cannot all be pinned to 1 or to 9. A total below 10
is hidden too. tests/test_analytics.py attacks the result and must fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 10
SUPPRESSED = "<10"


@dataclass
class Table:
    """Counts by row and column, with row, column and grand totals, and what may be published."""

    rows: list[str]
    columns: list[str]
    values: dict[tuple[str, str], int]
    hidden: set[tuple[str, str]] = field(default_factory=set)
    hidden_row_totals: set[str] = field(default_factory=set)
    hidden_column_totals: set[str] = field(default_factory=set)
    grand_total_hidden: bool = False

    def value(self, row: str, column: str) -> int:
        return self.values.get((row, column), 0)

    def row_total(self, row: str) -> int:
        return sum(self.value(row, column) for column in self.columns)

    def column_total(self, column: str) -> int:
        return sum(self.value(row, column) for row in self.rows)

    def grand_total(self) -> int:
        return sum(self.values.values())

    def shown(self, row: str, column: str) -> int | str:
        return SUPPRESSED if (row, column) in self.hidden else self.value(row, column)

    def shown_row_total(self, row: str) -> int | str:
        return SUPPRESSED if row in self.hidden_row_totals else self.row_total(row)

    def shown_column_total(self, column: str) -> int | str:
        return SUPPRESSED if column in self.hidden_column_totals else self.column_total(column)

    def shown_grand_total(self) -> int | str:
        return SUPPRESSED if self.grand_total_hidden else self.grand_total()


def _protect_line(table: Table, cells: list[tuple[str, str]], total_hidden: bool) -> bool:
    """Hide one more cell of this line if it needs it; whether anything changed."""
    if total_hidden:
        return False
    hidden = [cell for cell in cells if cell in table.hidden]
    if not hidden:
        return False
    hidden_sum = sum(table.values.get(cell, 0) for cell in hidden)
    if len(hidden) >= 2 and hidden_sum >= THRESHOLD:
        return False
    candidates = sorted(
        (cell for cell in cells if cell not in table.hidden and table.values.get(cell, 0) > 0),
        key=lambda cell: table.values.get(cell, 0),
    )
    if candidates:
        table.hidden.add(candidates[0])
        return True
    return False  # nothing left to hide in this line: its total is hidden instead (below)


def suppress(table: Table) -> Table:
    """Hide small cells and what would give them away (in place; returns the table)."""
    for cell, value in table.values.items():
        if 0 < value < THRESHOLD:
            table.hidden.add(cell)
    changed = True
    while changed:
        changed = False
        for row in table.rows:
            cells = [(row, column) for column in table.columns]
            changed |= _protect_line(table, cells, row in table.hidden_row_totals)
            if not _line_is_safe(table, cells) and row not in table.hidden_row_totals:
                table.hidden_row_totals.add(row)
                changed = True
        for column in table.columns:
            cells = [(row, column) for row in table.rows]
            changed |= _protect_line(table, cells, column in table.hidden_column_totals)
            if not _line_is_safe(table, cells) and column not in table.hidden_column_totals:
                table.hidden_column_totals.add(column)
                changed = True
        # The grand total is the line of the totals: the same rule, over rows and over columns.
        for totals, hidden_totals in (
            (
                [table.row_total(row) for row in table.rows],
                [row in table.hidden_row_totals for row in table.rows],
            ),
            (
                [table.column_total(column) for column in table.columns],
                [column in table.hidden_column_totals for column in table.columns],
            ),
        ):
            hidden_values = [value for value, hidden in zip(totals, hidden_totals, strict=True) if hidden]
            safe = not hidden_values or (len(hidden_values) >= 2 and sum(hidden_values) >= THRESHOLD)
            if not safe and not table.grand_total_hidden:
                table.grand_total_hidden = True
                changed = True
    for row in table.rows:
        if 0 < table.row_total(row) < THRESHOLD:
            table.hidden_row_totals.add(row)
    for column in table.columns:
        if 0 < table.column_total(column) < THRESHOLD:
            table.hidden_column_totals.add(column)
    if 0 < table.grand_total() < THRESHOLD:
        table.grand_total_hidden = True
    return table


def _line_is_safe(table: Table, cells: list[tuple[str, str]]) -> bool:
    hidden = [table.values.get(cell, 0) for cell in cells if cell in table.hidden]
    return not hidden or (len(hidden) >= 2 and sum(hidden) >= THRESHOLD)

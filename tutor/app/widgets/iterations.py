"""The iterations so far, as a Textual DataTable (rows from :mod:`tutor.tables`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable

from tutor.tables import TABLE_LIMIT, rows

if TYPE_CHECKING:  # the walkthrough brings sympy: the app's first frame must not wait for it
    from tutor.walkthrough import Step


class IterationTable(DataTable):
    """The iterations so far, newest last, for the step on screen."""

    DEFAULT_CSS = """
    IterationTable { height: auto; max-height: 12; }
    """

    def __init__(self, **kwargs):
        super().__init__(cursor_type="none", zebra_stripes=True, show_cursor=False, **kwargs)

    def show(self, step: Step | None, reveal: bool, exact: bool = False) -> bool:
        """Fill the table for ``step`` (long exact values as ≈ decimals unless ``exact``); whether it has rows."""
        self.clear(columns=True)
        self.body: list[list[str]] = []
        if step is None:
            return False
        cols, body = rows(step, reveal, exact=exact, limit=TABLE_LIMIT)
        self.body = body
        if not cols:
            return False
        self.add_columns(*cols)
        for row in body:
            self.add_row(*row)
        if body:
            self.move_cursor(row=len(body) - 1)
            self.scroll_end(animate=False)
        return True

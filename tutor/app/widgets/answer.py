"""The answer box: an Input whose editing keys act in the order they were typed.

Textual runs a widget's key bindings only once the key has bubbled up to the
app, but inserts a printable key the moment the box receives it.  Typed
quickly (or sent in one burst by a terminal multiplexer), ``ctrl+u`` then
``7`` became "insert 7, then delete everything left of the cursor": the 7 was
lost.  Here the box's own editing bindings (ctrl+u, ctrl+w, ctrl+k, backspace,
the arrows, Enter, ...) run as soon as their key arrives, before the next key.

A one-line box has nothing to scroll, yet Input inherits the scrolling keys
(up, down, page up, page down) and swallowed them; here they pass on to the
lesson screen, which scrolls the lesson text with them.

After a wrong answer the box keeps it, selected (:meth:`AnswerInput.offer_again`):
the learner can edit it, or type the next answer over it (``5`` after ``10``
is ``5``, never ``105``).
"""

from __future__ import annotations

from textual import events
from textual.actions import SkipAction
from textual.widgets import Input

#: Inherited actions that mean nothing in a one-line box: their keys belong to the screen.
SCROLLING = ("scroll_up", "scroll_down", "page_up", "page_down")


class AnswerInput(Input):
    """Where the learner types an answer; Enter submits it."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            bindings = [
                b
                for b in self._bindings.key_to_bindings.get(event.key, ())
                if not b.priority and b.action not in SCROLLING
            ]
            if bindings:
                event.stop()
                event.prevent_default()
                self._restart_blink()
                await self.run_action(bindings[0].action)
                return
        await super()._on_key(event)

    def offer_again(self) -> None:
        """After a wrong answer: keep it in view, selected, so typing the next one replaces it."""
        self.focus()
        self.select_all()

    def action_scroll_up(self) -> None:
        raise SkipAction()

    def action_scroll_down(self) -> None:
        raise SkipAction()

    def action_page_up(self) -> None:
        raise SkipAction()

    def action_page_down(self) -> None:
        raise SkipAction()

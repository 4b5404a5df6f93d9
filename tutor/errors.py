"""The project's exceptions: one base class, so every view can catch one thing."""

from __future__ import annotations


class TutorError(Exception):
    """An error a person can act on; its message is one line, no traceback."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # keep the message exactly as written
        return self.message

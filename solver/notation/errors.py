"""The one exception of the notation package: text that is not accepted math."""

from __future__ import annotations

#: Characters of context shown on each side of the error position.
EXCERPT_RADIUS = 12


def printable(text: str) -> str:
    """``text`` with control and other non-printable characters replaced by '?', on one line."""
    return "".join(" " if ch in "\n\r\t" else ch if ch.isprintable() else "?" for ch in text)


class NotationError(ValueError):
    """Math text (a student answer or a spec formula) that the parser does not accept.

    Attributes: ``message`` (what was wrong), ``position`` (character offset
    in ``text``, or ``None`` when it does not apply), ``text`` (the input, or
    ``None`` for non-string input) and ``hint`` (what is accepted instead).
    ``str(err)`` is one line, e.g.::

        unknown function 'foo' at char 0 (near 'foo(a, b)'); accepted: floor, ceil, ...
    """

    def __init__(self, message: str, *, text: str | None = None, position: int | None = None,
                 hint: str | None = None):
        self.message = message
        self.text = text
        self.position = position
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        line = printable(self.message)
        if self.position is not None and self.text is not None:
            start = max(0, self.position - EXCERPT_RADIUS)
            excerpt = printable(self.text[start:self.position + EXCERPT_RADIUS]).strip()
            line += f" at char {self.position}"
            if excerpt:
                line += f" (near '{excerpt}')"
        if self.hint:
            line += f"; {printable(self.hint)}"
        return line

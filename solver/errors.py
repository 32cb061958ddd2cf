"""The one exception family of the solver: every problem with a spec file."""

from __future__ import annotations


class SpecError(Exception):
    """A spec file is unreadable, malformed or describes an impossible layer.

    The message names where the problem is (file, part id, field), what was
    found and what is accepted, e.g.::

        problems/q.yaml: part b, layer.stride: 0 is not allowed; stride must be an integer >= 1
    """

    def __init__(self, message: str, *, file: str | None = None,
                 part: str | None = None, field: str | None = None):
        self.file, self.part, self.field, self.detail = file, part, field, message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.part:
            where.append(f"part {self.part}")
        if self.field:
            where.append(self.field)
        prefix = f"{self.file}: " if self.file else ""
        location = ", ".join(where)
        return f"{prefix}{location}: {self.detail}" if location else f"{prefix}{self.detail}"

    def located(self, *, file: str | None = None, part: str | None = None,
                field_prefix: str | None = None) -> "SpecError":
        """Return a copy with missing location parts filled in."""
        field = self.field
        if field_prefix:
            field = f"{field_prefix}.{field}" if field else field_prefix
        return SpecError(self.detail, file=self.file or file, part=self.part or part, field=field)

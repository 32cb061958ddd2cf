"""What every askable item provides."""

from __future__ import annotations


class Question:
    """An askable item: ``check`` validates a part at load time, ``answer`` derives the answer."""

    name: str = ""

    def check(self, part) -> None:
        """Raise SpecError when ``part`` cannot be answered for this item."""

    def given(self, part) -> tuple[tuple[str, int | tuple[int, ...], str], ...]:
        """(label in the key, layer number from 1 or a layer path such as (3, 1) for a layer inside
        a residual block, tensor name) of each tensor value this item's answer is computed from
        (shown in the key)."""
        return ()

    def answer(self, part):
        """The answer object for ``part`` (from :mod:`solver.answers`)."""
        raise NotImplementedError

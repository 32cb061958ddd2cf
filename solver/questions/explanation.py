"""``explanation``: free text, graded by hand against the instructor's reference."""

from __future__ import annotations

from solver.answers import TextAnswer
from solver.errors import SpecError
from solver.questions.base import Question


class ExplanationQuestion(Question):
    name = "explanation"

    def check(self, part) -> None:
        if not part.reference:
            raise SpecError("an explanation is asked, so the part needs the instructor's "
                            "reference answer under 'reference'", field="reference")

    def answer(self, part) -> TextAnswer:
        return TextAnswer(part.reference.strip())

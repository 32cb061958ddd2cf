"""Registry of askable items: ``ask: [shape, value, ...]`` in a spec part.

Each item is a :class:`~solver.questions.base.Question` registered under its
name; adding a question kind is one module and one line in ``_QUESTIONS``.
"""

from __future__ import annotations

from solver.errors import SpecError
from solver.layers import layer_at
from solver.questions.activations import ActivationsQuestion
from solver.questions.base import Question
from solver.questions.effective_kernel import EffectiveKernelQuestion
from solver.questions.explanation import ExplanationQuestion
from solver.questions.flops import FlopsQuestion
from solver.questions.im2col import Im2colQuestion
from solver.questions.jump import JumpQuestion
from solver.questions.macs import MacsQuestion
from solver.questions.numeric import NumericQuestion
from solver.questions.padding_for_same import PaddingForSameQuestion
from solver.questions.params import ParamsQuestion
from solver.questions.receptive_field import ReceptiveFieldQuestion
from solver.questions.shape import ShapeQuestion
from solver.questions.summary import SummaryQuestion
from solver.questions.value import ValueQuestion

_QUESTIONS: tuple[Question, ...] = (ShapeQuestion(), ValueQuestion(), NumericQuestion(),
                                    ExplanationQuestion(), ParamsQuestion(), SummaryQuestion(),
                                    ReceptiveFieldQuestion(), JumpQuestion(), MacsQuestion(),
                                    FlopsQuestion(), ActivationsQuestion(), Im2colQuestion(),
                                    EffectiveKernelQuestion(), PaddingForSameQuestion())

QUESTIONS: dict[str, Question] = {q.name: q for q in _QUESTIONS}


def check_asked(part) -> None:
    """Raise SpecError when ``part`` asks an unknown item or one it cannot answer."""
    for item in part.ask:
        if item not in QUESTIONS:
            raise SpecError(f"unknown item {item!r}; accepted: {', '.join(QUESTIONS)}", field="ask")
        QUESTIONS[item].check(part)
    if len(set(part.ask)) != len(part.ask):
        raise SpecError("an item is asked twice", field="ask")


def answer(part, item: str):
    """The answer object for asked ``item`` of ``part`` (see :mod:`solver.answers`)."""
    return QUESTIONS[item].answer(part)


def given_tensors(part) -> tuple[tuple[str, object], ...]:
    """(name, array) of every tensor value the part's asked items are computed from, in order."""
    found: dict[str, object] = {}
    for item in part.ask:
        for label, place, name in QUESTIONS[item].given(part):
            path = (place,) if isinstance(place, int) else place
            found.setdefault(label, layer_at(part.layers, path).values[name])
    return tuple(found.items())

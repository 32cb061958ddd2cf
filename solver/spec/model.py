"""The validated problem model: what a spec file means, with no YAML left in it."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from solver.layers import Layer

#: What a part's answers are about (``of:``) and with respect to what (``wrt:``).
OF_CHOICES = ("output", "jacobian", "loss_gradient")
WRT_CHOICES = ("weight", "input", "bias")

#: The fields a part mapping accepts.
PART_FIELDS = frozenset({"id", "points", "prompt", "layer", "layers", "ask", "of", "wrt",
                         "wrt_layer", "assumptions", "reference", "options", "parts", "indexing",
                         "feedback", "hints", "tests"})

#: The verdicts a question test may expect (the grader's own words, grader/results.py).
TEST_VERDICTS = ("correct", "partial", "incorrect", "unparseable", "missing", "manual")

#: How much a grading report may show (``feedback:``), from least to most.
FEEDBACK_LEVELS = ("verdict", "hint", "full")


#: Gradescope's visibilities of a test, for ``options.visibility``.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass(frozen=True)
class PartOptions:
    """Grading options of a part.

    ``allow_squeeze``: accept a shape with singleton axes dropped (``2`` for ``1 x 2``).
    ``rtol``/``atol``: numeric tolerance. ``weights``: relative weight of each
    asked item in the part's points (missing items weigh 1). ``visibility``: when
    students see the part's result on Gradescope (one of VISIBILITIES).
    """

    allow_squeeze: bool = False
    rtol: float = 1e-6
    atol: float = 1e-9
    weights: tuple[tuple[str, float], ...] = ()
    visibility: str = "visible"

    def weight_of(self, item: str) -> float:
        """The relative weight of asked item ``item`` (default 1)."""
        return dict(self.weights).get(item, 1.0)


@dataclass(frozen=True)
class Hint:
    """An instructor's message for an anticipated answer (``hints: [{answer, feedback}]``).

    ``answer`` is raw answer data, read and matched by the grader's own check of ``item``;
    ``feedback`` is the instructor's text, shown for a wrong answer equal to it (levels ``hint`` and
    ``full``), before any derived named mistake.
    """

    item: str
    answer: object = field(hash=False)
    feedback: str = ""


@dataclass(frozen=True)
class QuestionTest:
    """A verdict the instructor expects (``tests: [{answer, verdict}]``), checked by ``--check``.

    ``item`` None: ``answer`` is the part's answer as a submission gives it (a bare value for the
    first asked item, or a mapping of items) and ``verdict`` the part's verdict; else the answer to
    that one item and its verdict.
    """

    answer: object = field(hash=False)
    verdict: str = ""
    item: str | None = None


@dataclass(frozen=True)
class Part:
    """One answerable part: its layers, what it asks and how it is graded.

    ``assumptions`` are sympy relations from the spec (``H >= K``) that,
    together with each layer's validity constraints, define the domain in
    which symbolic answers are compared. ``feedback`` is the most a grading
    report shows for this part (one of FEEDBACK_LEVELS; None: no limit). ``intro`` holds the
    (id, prompt) pairs of the enclosing parts that have a prompt, outermost first (the setting
    that a sub-part's own prompt refers to, e.g. ``("c", "Consider an input x ...")``). ``wrt_layer`` is the position
    (from 1) in ``layers`` of the layer whose weight or bias ``wrt`` means;
    None when ``wrt`` is ``input`` (the first layer's input) or absent. ``wrt_inner`` goes on
    into residual blocks: the spec's ``wrt_layer: "3.2"`` is ``wrt_layer=3, wrt_inner=(2,)``,
    the second inner layer of the residual block that is layer 3 (empty: layer ``wrt_layer``
    itself).
    """

    id: str
    points: float
    prompt: str
    layers: tuple[Layer, ...]
    ask: tuple[str, ...]
    indexing: int
    of: str = "output"
    wrt: str | None = None
    wrt_layer: int | None = None
    wrt_inner: tuple[int, ...] = ()
    assumptions: tuple[sympy.Basic, ...] = ()
    reference: str | None = None
    options: PartOptions = field(default_factory=PartOptions)
    feedback: str | None = None
    #: The prompts of the enclosing parts, outermost first (a sub-part's setting).
    context: tuple[str, ...] = ()
    hints: tuple[Hint, ...] = ()
    tests: tuple[QuestionTest, ...] = ()
    #: (id, prompt) of the enclosing parts that have a prompt (the web page's headings).
    intro: tuple[tuple[str, str], ...] = ()

    @property
    def layer(self) -> Layer:
        """The last layer (the one a single-layer part is about)."""
        return self.layers[-1]

    @property
    def wrt_path(self) -> tuple[int, ...]:
        """The path of the layer whose weight or bias ``wrt`` means, e.g. (3, 2) for
        ``wrt_layer: "3.2"`` (see :data:`solver.layers.LayerPath`); () without one."""
        return () if self.wrt_layer is None else (self.wrt_layer, *self.wrt_inner)


@dataclass(frozen=True)
class Problem:
    """A whole spec: id, title, default index base and the answerable parts in spec order."""

    id: str
    title: str
    indexing: int
    parts: tuple[Part, ...]
    source: str = "<spec>"

    def part(self, part_id: str) -> Part:
        """The part with dotted id ``part_id``; KeyError when absent."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

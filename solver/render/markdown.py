"""The key as a readable Markdown page with formulas in LaTeX, and the problem sheet alone.

The key shows, under each answer, the worked steps that lead to it (:mod:`solver.worked`);
the sheet shows the prompts (an enclosing part's prompt once, before its first sub-part), the
given tensors and what each part asks, and no answer.
"""

from __future__ import annotations

from solver.answers import IndexAnswer, NumericAnswer, ShapeAnswer, TableAnswer, TextAnswer
from solver.key import AnswerKey
from solver.notation import to_latex
from solver.worked import step_latex_markdown, worked_steps


def render_markdown(key: AnswerKey) -> str:
    """A Markdown answer key: one section per part with its prompt, answers and worked steps."""
    return _page(key, answers=True)


def render_sheet_markdown(key: AnswerKey) -> str:
    """The problem sheet in Markdown: prompts, given tensors and the asked items; no answers."""
    return _page(key, answers=False)


def _page(key: AnswerKey, *, answers: bool) -> str:
    problem = key.problem
    title = f"{problem.title} — answer key" if answers else problem.title
    lines = [f"# {title}", "", f"Problem `{problem.id}`; tensors are indexed from {problem.indexing}.", ""]
    shown: set[str] = set()
    for part_key in key.parts:
        part = part_key.part
        lines += _context_lines(part, shown)
        points = f"{part.points:g} point" + ("" if part.points == 1 else "s")
        lines += [f"## ({part.id}) — {points}", ""]
        if part.prompt:
            lines += [part.prompt.strip(), ""]
        given = part_key.given()
        if given:
            lines += ["**Given tensors:**", "", *(f"- `{name} = {value.to_data()}`"
                                                  for name, value in given), ""]
        if answers:
            for item, answer in part_key.answers:
                lines += _answer_lines(item, answer)
                lines += _worked_lines(part_key, item)
        else:
            lines += ["Give: " + ", ".join(f"**{item}**" for item in part.ask), ""]
        if part.assumptions:
            lines += ["Assumptions: " + ", ".join(f"${to_latex(a)}$" for a in part.assumptions), ""]
    return "\n".join(lines).rstrip() + "\n"


def _context_lines(part, shown: set) -> list[str]:
    """The prompts of the enclosing parts not shown yet (``c``'s setting before ``c.i``)."""
    lines = []
    for depth, text in enumerate(part.context):
        owner = ".".join(part.id.split(".")[:depth + 1])
        if owner not in shown:
            shown.add(owner)
            lines += [f"## ({owner})", "", text.strip(), ""]
    return lines


def _worked_lines(part_key, item: str) -> list[str]:
    steps = worked_steps(part_key, item)
    if not steps:
        return []
    return [f"*Worked ({item}):*", "", *(f"- {step_latex_markdown(step).strip()}" for step in steps), ""]


def _answer_lines(item: str, answer) -> list[str]:
    if isinstance(answer, ShapeAnswer):
        return [f"**{item}:** $\\mathbb{{R}}^{{{answer.to_latex()}}}$", ""]
    if isinstance(answer, IndexAnswer):
        return [f"**{item}:**", "", f"$$ {answer.to_latex()} $$", "",
                f"Plain text: `{answer.to_data()}`", ""]
    if isinstance(answer, NumericAnswer):
        return [f"**{item}:** `{answer.to_data()}`", ""]
    if isinstance(answer, TextAnswer):
        return [f"**{item}** (reference, graded by hand):", "",
                *("> " + line if line else ">" for line in answer.text.splitlines()), ""]
    if isinstance(answer, TableAnswer):
        return [f"**{item}:**", "", answer.to_latex(), ""]
    return [f"**{item}:** ${answer.to_latex()}$", ""]

"""The key as a readable Markdown page with formulas in LaTeX."""

from __future__ import annotations

from solver.answers import IndexAnswer, NumericAnswer, ShapeAnswer, TableAnswer, TextAnswer
from solver.key import AnswerKey
from solver.notation import to_latex


def render_markdown(key: AnswerKey) -> str:
    """A Markdown answer key: one section per part with its prompt and answers."""
    problem = key.problem
    lines = [f"# {problem.title} — answer key", "",
             f"Problem `{problem.id}`; tensors are indexed from {problem.indexing}.", ""]
    for part_key in key.parts:
        part = part_key.part
        points = f"{part.points:g} point" + ("" if part.points == 1 else "s")
        lines += [f"## ({part.id}) — {points}", ""]
        if part.prompt:
            lines += [part.prompt.strip(), ""]
        given = part_key.given()
        if given:
            lines += ["**Given tensors:**", "", *(f"- `{name} = {value.to_data()}`"
                                                  for name, value in given), ""]
        for item, answer in part_key.answers:
            lines += _answer_lines(item, answer)
        if part.assumptions:
            lines += ["Assumptions: " + ", ".join(f"${to_latex(a)}$" for a in part.assumptions), ""]
    return "\n".join(lines).rstrip() + "\n"


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

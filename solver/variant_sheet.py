"""A variant's problem sheet in plain text: its prompts and the tensor values given to students.

Kept small on purpose, so it can be joined with the ``--sheet`` output of the sheet renderer
when that exists: the key carries the problem (prompts) and the given tensors of each part.
"""

from __future__ import annotations

from solver.key import AnswerKey


def sheet_text(key: AnswerKey) -> str:
    """Title, the variant line (student, seed, number, values), then each part's prompts and
    given tensors, in key order. A parent's prompt is printed once, before its first sub-part."""
    problem = key.problem
    lines = [problem.title, "=" * len(problem.title)]
    variant = key.variant
    if variant is not None:
        number = (f"variant {variant['number']} of {variant['count']}"
                  if variant.get("number") is not None else "a drawn variant")
        who = f"student {variant['student']}, " if variant.get("student") is not None else ""
        seed = f"seed {variant['seed']}, " if variant.get("seed") is not None else ""
        lines.append(f"{who}{seed}{number}")
    lines.append("")
    shown: set[str] = set()
    for part_key in key.parts:
        part = part_key.part
        for depth, text in enumerate(part.context):
            owner = ".".join(part.id.split(".")[:depth + 1])
            if owner not in shown:
                shown.add(owner)
                lines += [f"({owner})", _indent(text), ""]
        points = f"{part.points:g} point" + ("" if part.points == 1 else "s")
        lines.append(f"({part.id}) [{points}]")
        if part.prompt:
            lines.append(_indent(part.prompt))
        for name, value in part_key.given():
            lines.append(f"    {name} = {value.to_data()}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())

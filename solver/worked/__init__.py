"""Worked solutions: for every answer in the key, the steps that lead to it.

A step is a short sequence of prose and :class:`Math` (each math piece carries its text for
people, ``⌊7/2⌋ + 1``, and its LaTeX); renderers print steps as text, Markdown or HTML.
Solutions are registered per asked item in ``WORKED`` (one function per question kind, taking
the part's key and returning its steps), so a new question kind adds its own with one line;
an item without a registered function has no worked steps.
"""

from __future__ import annotations

from typing import Callable

from solver.worked.steps import Math, Step, math, step_latex_markdown, step_text


def _registry() -> dict[str, Callable]:
    from solver.worked.counts import worked_params
    from solver.worked.other import worked_explanation, worked_numeric, worked_summary
    from solver.worked import stack
    from solver.worked.shapes import worked_shape
    from solver.worked.values import worked_value
    return {"shape": worked_shape, "value": worked_value, "params": worked_params,
            "numeric": worked_numeric, "explanation": worked_explanation, "summary": worked_summary,
            "receptive_field": stack.worked_receptive_field, "jump": stack.worked_jump,
            "macs": stack.worked_macs, "flops": stack.worked_flops, "activations": stack.worked_activations,
            "im2col": stack.worked_im2col, "effective_kernel": stack.worked_effective_kernel,
            "padding_for_same": stack.worked_padding_for_same}


WORKED: dict[str, Callable] = {}


def worked_steps(part_key, item: str) -> tuple[Step, ...]:
    """The steps that lead to ``item``'s answer in ``part_key`` (empty when none are registered)."""
    if not WORKED:
        WORKED.update(_registry())
    make = WORKED.get(item)
    return tuple(make(part_key)) if make is not None else ()


__all__ = ["WORKED", "Math", "Step", "math", "step_text", "step_latex_markdown", "worked_steps"]

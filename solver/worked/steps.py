"""The pieces of a worked step: prose and math, printable as text or as Markdown with LaTeX."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from solver.notation import evaluate_tree, to_latex, to_unicode, tree


@dataclass(frozen=True)
class Math:
    """One piece of math: ``text`` for people (``⌊7/2⌋ + 1``) and its ``latex``."""

    text: str
    latex: str


#: A step: prose strings and Math pieces, read in order.
Step = tuple


def math(*chain) -> Math:
    """``a = b = c`` from trees (printed), Math pieces or plain strings (used for both forms);
    a piece equal to the one before it (in text) is left out."""
    texts, latexes = [], []
    for piece in chain:
        if isinstance(piece, Math):
            text, latex = piece.text, piece.latex
        elif isinstance(piece, tree.Node):
            text, latex = to_unicode(piece), to_latex(piece)
        else:
            text = latex = str(piece)
        if texts and texts[-1] == text:
            continue
        texts.append(text)
        latexes.append(latex)
    return Math(" = ".join(texts), " = ".join(latexes))


def step_text(step: Step) -> str:
    """The step as one line of text."""
    return "".join(piece.text if isinstance(piece, Math) else piece for piece in step)


def step_latex_markdown(step: Step) -> str:
    """The step as Markdown: prose as it is, math between ``$ ... $``."""
    return "".join(f"${piece.latex}$" if isinstance(piece, Math) else piece for piece in step)


# ---- arithmetic on trees, for the steps ------------------------------------------------------

def node(value) -> tree.Expr:
    """A Dim (int or sympy) or a number as a tree."""
    from solver.notation import from_sympy
    if isinstance(value, tree.Node):
        return value
    if isinstance(value, (int, Fraction)):
        return tree.num(value)
    return from_sympy(value)


def is_numeric(expr: tree.Node) -> bool:
    """No symbol or tensor entry anywhere in ``expr``."""
    return not any(isinstance(n, (tree.Sym, tree.Entry, tree.Sum)) for n in tree.walk(expr))


def value(expr: tree.Node):
    """The exact value of a numeric tree."""
    return evaluate_tree(expr)


def one_step(expr: tree.Expr) -> tree.Expr:
    """The arithmetic done one level: every numeric part free of floor, ceil and division becomes
    its value (``⌊(10 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1`` -> ``⌊7/2⌋ + 1``); a sum free of them keeps
    its terms, each evaluated (``(5 − 1)·2 − 2·1 + 1`` -> ``8 − 2 + 1``)."""
    if is_numeric(expr) and not _divides(expr):
        if isinstance(expr, tree.Add):
            return tree.Add(tuple(tree.Neg(tree.num(value(t.operand))) if isinstance(t, tree.Neg)
                                  else tree.num(value(t)) for t in expr.terms))
        return tree.num(value(expr))
    return _inner(expr)


def _inner(expr: tree.Expr) -> tree.Expr:
    if is_numeric(expr) and not _divides(expr):
        return tree.num(value(expr))
    children = expr.children()
    return expr.rebuild(tuple(_inner(c) for c in children)) if children else expr


def _divides(expr: tree.Node) -> bool:
    return any(isinstance(n, (tree.Floor, tree.Ceil, tree.Div, tree.Mod)) for n in tree.walk(expr))


def chain(name, general: tree.Expr | None, substituted: tree.Expr, result=None) -> Math:
    """``name = general = substituted = (one step) = result``, repeated pieces left out."""
    pieces = [name] + ([general] if general is not None else []) + [substituted]
    if is_numeric(substituted):
        pieces += [one_step(substituted), tree.num(value(substituted))]
    elif result is not None:
        pieces.append(node(result))
    return math(*pieces)

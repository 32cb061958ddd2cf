"""One precedence-driven printer for trees, with a plain-text table and a LaTeX table.

Both outputs parse back (:mod:`solver.notation.expressions`) to an equal tree: the
printer adds parentheses wherever the parser would otherwise group differently,
and never reorders anything (the tree's order is the reading order; keys get a
textbook order when they are converted from sympy).

Text: explicit ``*``, ``^``, ``a/b``, ``floor(...)``, ``delta(a, b)``, ``[cond]``,
``(v if c else o)``, ``Sum(body, (k, 1, 3), (c, 1, 2))`` (innermost limit first),
entries ``x[c, 2*j + k - 2]``. LaTeX: ``2P``, ``D(K - 1)``, ``\\frac{a}{b}``,
``\\left\\lfloor ... \\right\\rfloor``, ``x_{c,2j+k-2}``, ``\\sum_{c=1}^{2}\\sum_{k=1}^{3} ...``,
``\\begin{cases} ... \\end{cases}``, the upstream gradient ``dl/df[1, j]`` as
``\\frac{\\partial l}{\\partial f_{1,j}}``, ``H_in`` as ``H_{in}``.
"""

from __future__ import annotations

import re

from solver.notation.tree import (Abs, Add, And, Bool, Ceil, Cond, Delta, Div, Entry, Equation, Floor, Iverson,
                                  Max, Min, Mod, Mul, Neg, Node, Not, Num, Or, Pow, Ref, Rel, Sum, Sym, walk)

# Precedence levels: a child printed below the level its place needs gets parentheses.
# A negation (and a negative number) is looser than a product: '-a*b' is -(a*b).
OR, AND, NOT, REL, ADD, UNARY, MUL, POW, ATOM = 1, 2, 2.5, 3, 4, 5, 6, 8, 9

_DERIVATIVE_NAME = re.compile(r"d([A-Za-z]\w*)/d([A-Za-z]\w*)")


_LEVELS = {Add: ADD, Neg: UNARY, Mul: MUL, Div: MUL, Mod: MUL, Pow: POW, Rel: REL, And: AND, Or: OR, Not: NOT}


class _Text:
    """The plain-text style; :class:`_Latex` overrides what differs. Node types without a
    method here are printed by the shared functions of the ``_RENDER`` table."""

    plus, minus, times = " + ", " - ", "*"
    levels = {**_LEVELS, Sum: ATOM}
    relations = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
    conj, disj, negation = " and ", " or ", "not "

    def level(self, node: Node) -> float:
        """The precedence of ``node`` as printed in this style."""
        if type(node) is Num:
            return UNARY if node.value < 0 else ATOM if isinstance(node.value, int) else self.fraction_level
        return self.levels.get(type(node), ATOM)

    fraction_level = MUL

    def paren(self, text: str) -> str:
        return f"({text})"

    def wrap(self, node: Node, below: float) -> str:
        """``node`` printed, in parentheses when its level is below ``below``."""
        text = render(node, self)
        return self.paren(text) if self.level(node) < below else text

    def number(self, value) -> str:
        return str(value) if isinstance(value, int) else f"{value.numerator}/{value.denominator}"

    def symbol(self, name: str) -> str:
        return name

    def entry(self, node: Entry) -> str:
        return f"{node.name}[{', '.join(render(i, self) for i in node.indices)}]"

    def product(self, node: Mul) -> str:
        parts = []
        for position, factor in enumerate(node.factors):
            text = render(factor, self)
            first = position == 0
            level = self.level(factor)
            if level < MUL or (not first and level == MUL) or (first and type(factor) is Mul):
                text = self.paren(text)
            parts.append(text)
        return self.times.join(parts)

    def division(self, node: Div) -> str:
        return f"{self.dividend(node.numerator)}/{self.divisor(node.denominator)}"

    def modulo(self, node: Mod) -> str:
        return f"{self.dividend(node.dividend)} % {self.divisor(node.divisor)}"

    def dividend(self, node: Node) -> str:
        text = render(node, self)
        if self.level(node) < MUL or _d_named(node):     # (dl)/df[1, j] is no derivative
            return self.paren(text)
        return text

    def divisor(self, node: Node) -> str:
        text = render(node, self)
        return self.paren(text) if self.level(node) <= MUL else text

    def power(self, node: Pow) -> str:
        return f"{self.base(node.base)}^{self.exponent(node.exponent)}"

    def base(self, node: Node) -> str:
        return self.wrap(node, ATOM)

    def exponent(self, node: Node) -> str:
        if isinstance(node, Neg):
            return f"-{self.wrap(node.operand, ATOM)}"
        if _negative_number(node):
            return f"-{self.wrap(Num(-node.value), ATOM)}"
        return self.wrap(node, ATOM)

    def function(self, name: str, args) -> str:
        return f"{name}({', '.join(render(a, self) for a in args)})"

    def floor(self, node: Floor) -> str:
        return self.function("floor", (node.arg,))

    def ceil(self, node: Ceil) -> str:
        return self.function("ceil", (node.arg,))

    def absolute(self, node: Abs) -> str:
        return self.function("abs", (node.arg,))

    def extremum(self, node) -> str:
        return self.function("max" if isinstance(node, Max) else "min", node.args)

    def delta(self, node: Delta) -> str:
        return self.function("delta", (node.left, node.right))

    def iverson(self, node: Iverson) -> str:
        return f"[{render(node.condition, self)}]"

    def conditional(self, node: Cond) -> str:
        return (f"({self.wrap(node.value, NOT)} if {render(node.condition, self)} "
                f"else {self.wrap(node.otherwise, NOT)})")

    def summation(self, node: Sum) -> str:
        limits = []
        body: Node = node
        while isinstance(body, Sum):
            limits.append(f"({body.index}, {render(body.lower, self)}, {render(body.upper, self)})")
            body = body.body
        return f"Sum({render(body, self)}, {', '.join(reversed(limits))})"

    def boolean(self, node: Bool) -> str:
        return "0 == 0" if node.value else "0 == 1"


class _Latex(_Text):
    """LaTeX; ``compact`` drops the spaces around + and - (for subscripts: x_{c,2j+k-2})."""

    levels = {**_LEVELS, Div: ATOM, Sum: MUL}
    fraction_level = ATOM

    def __init__(self, compact: bool = False):
        self.compact = compact
        self.plus, self.minus = ("+", "-") if compact else (" + ", " - ")
    relations = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge", "==": "=", "!=": "\\ne"}
    conj, disj, negation = " \\land ", " \\lor ", "\\lnot "

    def paren(self, text: str) -> str:
        return f"\\left({text}\\right)"

    def number(self, value) -> str:
        if isinstance(value, int):
            return str(value)
        if value < 0:
            return f"-\\frac{{{-value.numerator}}}{{{value.denominator}}}"
        return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"

    def symbol(self, name: str) -> str:
        return latex_symbol(name)

    def entry(self, node: Entry) -> str:
        return latex_entry(node.name, node.indices)

    def product(self, node: Mul) -> str:
        out, previous = "", None
        count = len(node.factors)
        for position, factor in enumerate(node.factors):
            text = render(factor, self)
            level = self.level(factor)
            # a sum's body runs to the end of the product, so only the last factor may be a bare sum
            if level < MUL or (level == MUL and not (type(factor) is Sum and position == count - 1)):
                text = self.paren(text)
            if previous is None:
                out = text
            elif text[0].isdigit():
                out += " \\cdot " + text
            elif isinstance(previous, Num) and not isinstance(factor, (Entry, Delta)):
                out += text                       # 2P, 2\\left(K - 1\\right)
            elif isinstance(previous, (Entry, Delta)) or isinstance(factor, (Entry, Delta)):
                out += "\\," + text
            elif text.startswith("\\left(") or text.startswith("("):
                out += text
            else:
                out += " " + text
            previous = factor
        return out

    def division(self, node: Div) -> str:
        return f"\\frac{{{self.braced(node.numerator, True)}}}{{{self.braced(node.denominator, False)}}}"

    def braced(self, node: Node, numerator: bool) -> str:
        text = render(node, self)
        return self.paren(text) if numerator and (text.startswith("d") or text.startswith("\\partial")) else text

    def modulo(self, node: Mod) -> str:
        return f"{self.dividend(node.dividend)} \\bmod {self.divisor(node.divisor)}"

    def dividend(self, node: Node) -> str:
        if isinstance(node, Sum):             # a sum's body would run on into the '\\bmod'
            return self.paren(render(node, self))
        return self.wrap(node, MUL)

    def power(self, node: Pow) -> str:
        return f"{self.base(node.base)}^{{{render(node.exponent, self)}}}"

    def floor(self, node: Floor) -> str:
        return f"\\left\\lfloor {render(node.arg, self)} \\right\\rfloor"

    def ceil(self, node: Ceil) -> str:
        return f"\\left\\lceil {render(node.arg, self)} \\right\\rceil"

    def absolute(self, node: Abs) -> str:
        return f"\\left|{render(node.arg, self)}\\right|"

    def extremum(self, node) -> str:
        name = "\\max" if isinstance(node, Max) else "\\min"
        return f"{name}{self.paren(', '.join(render(a, self) for a in node.args))}"

    def delta(self, node: Delta) -> str:
        return f"\\delta_{{{render(node.left, LATEX_COMPACT)},{render(node.right, LATEX_COMPACT)}}}"

    def iverson(self, node: Iverson) -> str:
        return f"\\left[{render(node.condition, self)}\\right]"

    def conditional(self, node: Cond) -> str:
        rows, current = [], node
        while isinstance(current, Cond):
            rows.append(f"{render(current.value, self)} & \\text{{if }} {render(current.condition, self)}")
            current = current.otherwise
        rows.append(f"{render(current, self)} & \\text{{otherwise}}")
        return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}"

    def summation(self, node: Sum) -> str:
        bounds, body = "", node
        while isinstance(body, Sum):
            bounds += (f"\\sum_{{{body.index}={render(body.lower, LATEX_COMPACT)}}}"
                       f"^{{{render(body.upper, LATEX_COMPACT)}}}")
            body = body.body
        text = render(body, self)
        if self.level(body) < MUL:
            text = self.paren(text)
        return f"{bounds} {text}"

    def boolean(self, node: Bool) -> str:
        return "0 = 0" if node.value else "0 = 1"


def _negative_number(node: Node) -> bool:
    return isinstance(node, Num) and node.value < 0


def _d_named(node: Node) -> bool:
    """True for a symbol or entry whose name starts with 'd': before '/' it would read as a derivative."""
    return isinstance(node, (Sym, Entry)) and node.name.startswith("d")


def _sum_terms(node: Add, style: _Text) -> str:
    parts = []
    for position, term in enumerate(node.terms):
        if position and (isinstance(term, Neg) or _negative_number(term)):
            magnitude = term.operand if isinstance(term, Neg) else Num(-term.value)
            parts.append(style.minus + style.wrap(magnitude, MUL))
        else:
            text = style.paren(render(term, style)) if type(term) is Add else render(term, style)
            parts.append(style.plus + text if position else text)
    return "".join(parts)


def _negation(node: Neg, style: _Text) -> str:
    return f"-{style.wrap(node.operand, MUL)}"


def _relation(node: Rel, style: _Text) -> str:
    return f"{style.wrap(node.left, ADD)} {style.relations[node.op]} {style.wrap(node.right, ADD)}"


def _conjunction(node: And, style: _Text) -> str:
    chain = _chain(node)
    if chain is not None:
        operands, ops = chain
        text = style.wrap(operands[0], ADD)
        for op, operand in zip(ops, operands[1:]):
            text += f" {style.relations[op]} {style.wrap(operand, ADD)}"
        return text
    return style.conj.join(style.wrap(a, NOT) if not isinstance(a, And) else style.paren(render(a, style))
                           for a in node.args)


def _chain(node: And):
    """(operands, ops) when the conjunction is a chain a < b <= c of relations sharing operands."""
    if not all(isinstance(a, Rel) for a in node.args):
        return None
    operands, ops = [node.args[0].left], []
    for relation in node.args:
        if relation.left != operands[-1]:
            return None
        operands.append(relation.right)
        ops.append(relation.op)
    return operands, ops


def _disjunction(node: Or, style: _Text) -> str:
    return style.disj.join(style.wrap(a, AND) if not isinstance(a, Or) else style.paren(render(a, style))
                           for a in node.args)


def _not(node: Not, style: _Text) -> str:
    return style.negation + style.wrap(node.arg, REL)


_RENDER = {
    Num: lambda n, s: s.number(n.value),
    Sym: lambda n, s: s.symbol(n.name),
    Entry: lambda n, s: s.entry(n),
    Add: _sum_terms,
    Neg: _negation,
    Mul: lambda n, s: s.product(n),
    Div: lambda n, s: s.division(n),
    Mod: lambda n, s: s.modulo(n),
    Pow: lambda n, s: s.power(n),
    Floor: lambda n, s: s.floor(n),
    Ceil: lambda n, s: s.ceil(n),
    Abs: lambda n, s: s.absolute(n),
    Min: lambda n, s: s.extremum(n),
    Max: lambda n, s: s.extremum(n),
    Delta: lambda n, s: s.delta(n),
    Iverson: lambda n, s: s.iverson(n),
    Cond: lambda n, s: s.conditional(n),
    Sum: lambda n, s: s.summation(n),
    Rel: _relation,
    And: _conjunction,
    Or: _disjunction,
    Not: _not,
    Bool: lambda n, s: s.boolean(n),
}

class _Unicode(_Text):
    """Text for people (worked solutions): ``·``, ``−``, ``⌊ ⌋``, ``⌈ ⌉``, ``≤``; the parser reads
    these too, but keys and echoes use the plain-text style."""

    minus, times = " − ", "·"

    def number(self, value) -> str:
        return ("−" + super().number(-value)) if value < 0 else super().number(value)

    relations = {**_Text.relations, "<=": "≤", ">=": "≥", "!=": "≠", "==": "="}

    def floor(self, node: Floor) -> str:
        return f"⌊{render(node.arg, self)}⌋"

    def ceil(self, node: Ceil) -> str:
        return f"⌈{render(node.arg, self)}⌉"

    def summation(self, node: Sum) -> str:
        bounds, body = "", node
        while isinstance(body, Sum):
            bounds += f"Σ_{{{body.index}={render(body.lower, self)}}}^{{{render(body.upper, self)}}} "
            body = body.body
        return bounds + self.wrap(body, MUL)


TEXT, LATEX, LATEX_COMPACT, UNICODE = _Text(), _Latex(), _Latex(compact=True), _Unicode()


def render(node: Node, style: _Text) -> str:
    """``node`` printed in ``style`` (TEXT or LATEX)."""
    return _RENDER[type(node)](node, style)


def latex_symbol(name: str) -> str:
    """A symbol name in LaTeX: 'H_in' -> 'H_{in}', 'x_c' -> 'x_c', 'k2' -> 'k2'."""
    head, _, tail = name.partition("_")
    if len(tail) > 1 and tail[0].isalpha():
        return f"{head}_{{{tail}}}"
    return name


def latex_entry(name: str, indices) -> str:
    """A tensor entry in LaTeX: ('x', (c, 2j+k-2)) -> 'x_{c,2j+k-2}'; 'dl/df' -> a \\frac of partials."""
    shown = ",".join(render(i, LATEX_COMPACT) for i in indices)
    if len(indices) == 1 and isinstance(indices[0], Sym) and len(indices[0].name) > 1:
        shown = f"({shown})"                          # x_{in} would read back as the symbol x_in
    derivative = _DERIVATIVE_NAME.fullmatch(name)
    if derivative:
        of, wrt = derivative.groups()
        target = f"{latex_symbol(wrt)}_{{{shown}}}" if indices else latex_symbol(wrt)
        return f"\\frac{{\\partial {latex_symbol(of)}}}{{\\partial {target}}}"
    return f"{name}_{{{shown}}}" if indices else latex_symbol(name)


# ---- shapes and equations --------------------------------------------------------------------

def _axis_needs_parentheses(size: Node, axes: int) -> bool:
    """Sums and negatives need parentheses between separators; so do sizes using a name starting with x
    (in '4x', 'x5' or '3xd' the x would read as an axis separator), and a one-axis product."""
    level = TEXT.level(size)
    uses_x = any(isinstance(n, (Sym, Entry)) and n.name.startswith("x") for n in walk(size))
    return level <= UNARY or uses_x or (axes == 1 and level <= MUL)


def shape_text(shape) -> str:
    """'4 x 5'; sums in parentheses: 'F x (floor((H + 2*P - D*(K - 1) - 1)/S) + 1)'; '()' for a scalar.

    A one-axis shape that is a product prints as '(2*P,)' so that it does not read back as two axes;
    an axis that starts like 'R^' is parenthesized (it would read as the space prefix).
    """
    if len(shape) == 0:
        return "()"
    parts = []
    for size in shape:
        text = render(size, TEXT)
        if _axis_needs_parentheses(size, len(shape)) or (not parts and text.startswith("R^")):
            text = f"({text},)" if len(shape) == 1 else f"({text})"
        parts.append(text)
    return " x ".join(parts)


def shape_latex(shape) -> str:
    """'4 \\times 5'; sums in \\left( \\right); '()' for a scalar."""
    if len(shape) == 0:
        return "()"
    parts = []
    for size in shape:
        text = render(size, LATEX)
        if _axis_needs_parentheses(size, 2) or (not parts and text.startswith("R^")):
            text = f"\\left({text}\\right)"
        parts.append(text)
    return " \\times ".join(parts)


def _ref_text(ref: Ref) -> str:
    if not ref.indices:
        return ref.name
    return f"{ref.name}[{', '.join(render(i, TEXT) for i in ref.indices)}]"


def equation_text(eq: Equation) -> str:
    """'f[1, j] = ...', 'df[1, j]/dW[1, c, k] = ...', 'dl/dW[1, c, k] = ...', or just the RHS."""
    rhs = render(eq.rhs, TEXT)
    return f"{lhs_text(eq)} = {rhs}" if eq.of is not None else rhs


def lhs_text(eq: Equation) -> str:
    """The left-hand side alone: 'f[1, j]', 'df[1, j]/dW[1, c, k]' ('' for an RHS-only answer)."""
    if eq.of is None:
        return ""
    if eq.wrt is None:
        return _ref_text(eq.of)
    return f"d{_ref_text(eq.of)}/d{_ref_text(eq.wrt)}"


def _ref_latex(ref: Ref) -> str:
    if not ref.indices:
        return latex_symbol(ref.name)
    return f"{ref.name}_{{{','.join(render(i, LATEX_COMPACT) for i in ref.indices)}}}"


def equation_latex(eq: Equation) -> str:
    """'\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}} = x_{c,2j+k-2}', 'f_{1,j} = \\sum_{c=1}^{2}...'."""
    rhs = render(eq.rhs, LATEX)
    if eq.of is None:
        return rhs
    if eq.wrt is None:
        return f"{_ref_latex(eq.of)} = {rhs}"
    return f"\\frac{{\\partial {_ref_latex(eq.of)}}}{{\\partial {_ref_latex(eq.wrt)}}} = {rhs}"


"""Printers: sympy expressions, shapes and index equations -> plain text and LaTeX.

Both outputs are read back by :mod:`solver.notation.parser` to an equal
expression for everything the parser builds (numbers, symbols, entries, + * /
^, floor, ceil, abs, max, min, %, delta, Sum, conditionals, comparisons).

Plain text: multiplication always explicit (``2*P``), powers with ``^``, sums as
``Sum(body, (k, lo, hi))`` (limits in sympy's order, innermost first),
``floor(...)``/``ceil(...)``, ``delta(a, b)``, ``(e if cond else 0)``, entries
``x[c, 2*j + k - 2]``.

LaTeX: ``2P``, ``D(K - 1)``, ``\\frac{a}{b}``, ``\\left\\lfloor ... \\right\\rfloor``,
entries ``x_{c,2j+k-2}``, sums ``\\sum_{c=1}^{2}\\sum_{k=1}^{3} W_{1,c,k}\\,x_{c,2j+k-2}``,
Iverson brackets ``\\left[1 \\le m\\right]``, the upstream gradient entry
``dl/df[1, j]`` as ``\\frac{\\partial l}{\\partial f_{1,j}}``.
A symbol ``H_in`` prints as ``H_{in}``, ``x_c`` as ``x_c``. Types the parser does
not build fall back to sympy's own printers (not guaranteed to read back).
"""

from __future__ import annotations

import re

import sympy
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue

from solver.notation.equation import IndexEquation, TensorRef

# Precedence levels: a sub-expression is parenthesised when its level is too low for its place.
_OR, _AND, _REL, _ADD, _SUM, _MOD, _MUL, _POW, _ATOM = 1, 2, 3, 4, 5, 5.5, 6, 8, 9

_DERIVATIVE_NAME = re.compile(r"d([A-Za-z]\w*)/d([A-Za-z]\w*)")
_TEXT_RELATIONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
_LATEX_RELATIONS = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge", "==": "=", "!=": "\\ne"}


def _as_expr(value) -> sympy.Basic:
    if isinstance(value, bool):
        return sympy.true if value else sympy.false
    if isinstance(value, int):
        return sympy.Integer(value)
    return value


def _negated(term) -> tuple[bool, sympy.Expr]:
    """(True, -term) when ``term`` prints with a leading minus, else (False, term)."""
    if term.is_Number and term.is_negative:
        return True, -term
    if isinstance(term, sympy.Mul) and term.as_coeff_Mul()[0].is_negative:
        return True, -term
    return False, term


def _fraction_parts(expr: sympy.Mul) -> tuple[list, list]:
    """Numerator and denominator factors of a positive product (coefficient p/q split into p and q)."""
    coefficient, rest = expr.as_coeff_Mul()
    numerator, denominator = [], []
    if coefficient.is_Rational:
        if coefficient.p != 1:
            numerator.append(sympy.Integer(coefficient.p))
        if coefficient.q != 1:
            denominator.append(sympy.Integer(coefficient.q))
    elif coefficient != 1:
        numerator.append(coefficient)
    for factor in rest.as_ordered_factors():
        if isinstance(factor, sympy.Pow) and factor.exp.is_Rational and factor.exp.is_negative:
            denominator.append(sympy.Pow(factor.base, -factor.exp))
        else:
            numerator.append(factor)
    return numerator, denominator


def _ordered_terms(expr: sympy.Add) -> list:
    """Terms in reading order: positive terms, then negative ones, then the constant (H + 2P - D(K - 1) - 1)."""
    terms = expr.as_ordered_terms()
    constants = [t for t in terms if t.is_Number]
    negatives = [t for t in terms if not t.is_Number and _negated(t)[0]]
    positives = [t for t in terms if not t.is_Number and not _negated(t)[0]]
    return positives + negatives + constants


def _rewritable_condition(expr) -> bool:
    """True for a condition such as ITE or Not (sympy makes ITE from a Piecewise inside a comparison)
    whose negation normal form uses only and/or/comparisons, which the parser reads."""
    if not isinstance(expr, Boolean) or isinstance(expr, sympy.Expr):
        return False
    return expr.to_nnf() != expr


def _is_iverson(expr) -> bool:
    return (isinstance(expr, sympy.Piecewise) and len(expr.args) == 2 and expr.args[0].expr == 1
            and expr.args[1].expr == 0 and expr.args[1].cond == sympy.true)


# ---- plain text ------------------------------------------------------------------------------

def to_text(expr) -> str:
    """Plain-text form of a sympy expression or condition, read back by parse_expression/parse_relation.

    E.g. floor((H + 2*P - D*(K - 1) - 1)/S) + 1, Sum(W[1, c, k]*x[c, 2*j + k - 2], (k, 1, 3)).
    """
    return _text(_as_expr(expr))[0]


def _wrap_text(expr, below: float) -> str:
    """Text of ``expr`` in parentheses when its precedence is lower than ``below``."""
    text, level = _text(expr)
    return f"({text})" if level < below else text


def _text(e) -> tuple[str, float]:
    if isinstance(e, sympy.Integer):
        return str(int(e)), (_ADD if e < 0 else _ATOM)
    if isinstance(e, sympy.Rational):
        return f"{e.p}/{e.q}", (_ADD if e < 0 else _MUL)
    if isinstance(e, sympy.Symbol):
        return e.name, _ATOM
    if isinstance(e, sympy.Indexed):
        return f"{e.base.name}[{', '.join(to_text(i) for i in e.indices)}]", _ATOM
    if isinstance(e, sympy.Add):
        return _text_add(e), _ADD
    if isinstance(e, sympy.Mul):
        return _text_mul(e)
    if isinstance(e, sympy.Pow):
        return _text_pow(e)
    if isinstance(e, sympy.Sum):
        limits = ", ".join(f"({to_text(v)}, {to_text(lo)}, {to_text(hi)})" for v, lo, hi in e.limits)
        return f"Sum({to_text(e.function)}, {limits})", _ATOM
    calls = {sympy.floor: "floor", sympy.ceiling: "ceil", sympy.Abs: "abs", sympy.Max: "max",
             sympy.Min: "min", sympy.KroneckerDelta: "delta"}
    if type(e) in calls:
        return f"{calls[type(e)]}({', '.join(to_text(a) for a in e.args)})", _ATOM
    if isinstance(e, sympy.Mod):
        return f"{_wrap_text(e.args[0], _MOD)} % {_wrap_text(e.args[1], _POW)}", _MOD
    if isinstance(e, sympy.Piecewise) and e.args[-1].cond == sympy.true:
        text = to_text(e.args[-1].expr)
        for piece in reversed(e.args[:-1]):
            text = f"({to_text(piece.expr)} if {to_text(piece.cond)} else {text})"
        return text, (_ATOM if len(e.args) > 1 else _text(e.args[-1].expr)[1])
    if isinstance(e, sympy.core.relational.Relational) and e.rel_op in _TEXT_RELATIONS:
        op = _TEXT_RELATIONS[e.rel_op]
        return f"{_wrap_text(e.lhs, _ADD)} {op} {_wrap_text(e.rhs, _ADD)}", _REL
    if isinstance(e, sympy.And):
        return " and ".join(_wrap_text(a, _REL) for a in e.args), _AND
    if isinstance(e, sympy.Or):
        return " or ".join(_wrap_text(a, _AND) for a in e.args), _OR
    if isinstance(e, BooleanTrue):
        return "0 == 0", _REL
    if isinstance(e, BooleanFalse):
        return "0 == 1", _REL
    if _rewritable_condition(e):
        return _text(e.to_nnf())
    return f"({sympy.sstr(e)})", _ATOM


def _text_add(e: sympy.Add) -> str:
    parts = []
    for index, term in enumerate(_ordered_terms(e)):
        negative, magnitude = _negated(term)
        text = _wrap_text(magnitude, _MUL if negative else _SUM)
        if index == 0:
            parts.append(f"-{text}" if negative else text)
        else:
            parts.append(f" - {text}" if negative else f" + {text}")
    return "".join(parts)


def _text_mul(e: sympy.Mul) -> tuple[str, float]:
    negative, magnitude = _negated(e)
    if negative:
        text, level = _text(magnitude)
        return f"-{text if level >= _MUL else f'({text})'}", _ADD
    numerator, denominator = _fraction_parts(e)
    if not denominator:
        return "*".join(_wrap_text(f, _MUL) for f in numerator), _MUL
    top = "*".join(_wrap_text(f, _MUL) for f in numerator[:-1])
    if numerator:
        last = _wrap_text(numerator[-1], _MUL)
        last = f"({last})" if _d_named(numerator[-1]) else last      # (dl)/df[1, j] is no derivative
        top = f"{top}*{last}" if top else last
    top = top or "1"
    if _number_and_sum(denominator):
        # x/2/(a + b): '(2*(a + b))' would read back as the distributed 2*a + 2*b
        top, denominator = f"{top}/{_text(denominator[0])[0]}", denominator[1:]
    if len(denominator) == 1:
        text, level = _text(denominator[0])
        return (f"{top}/{text}" if level > _MUL else f"{top}/({text})"), _MUL
    return f"{top}/({'*'.join(_wrap_text(f, _MUL) for f in denominator)})", _MUL


def _d_named(factor) -> bool:
    """True for a symbol or entry whose name starts with 'd': before '/' it would read as a derivative dA/dB."""
    name = factor.base.name if isinstance(factor, sympy.Indexed) else getattr(factor, "name", "")
    return isinstance(factor, (sympy.Symbol, sympy.Indexed)) and name.startswith("d")


def _number_and_sum(factors: list) -> bool:
    """True for [number, sum]: a group that sympy would distribute (2*(a + b) -> 2*a + 2*b) when read back."""
    return len(factors) == 2 and factors[0].is_Number and isinstance(factors[1], sympy.Add)


def _text_pow(e: sympy.Pow) -> tuple[str, float]:
    base, exponent = e.base, e.exp
    if exponent.is_Rational and exponent.is_negative:
        return f"1/{_wrap_text(sympy.Pow(base, -exponent), _POW)}", _MUL
    return f"{_wrap_text(base, _ATOM)}^{_wrap_text(exponent, _POW)}", _POW


# ---- LaTeX -----------------------------------------------------------------------------------

def to_latex(expr) -> str:
    """LaTeX form of a sympy expression or condition, read back by parse_expression/parse_relation.

    E.g. \\left\\lfloor \\frac{-D(K - 1) + H + 2P - 1}{S} \\right\\rfloor + 1, x_{c,2j+k-2}.
    """
    return _latex(_as_expr(expr), False)[0]


def _paren(text: str, compact: bool) -> str:
    return f"({text})" if compact else f"\\left({text}\\right)"


def _wrap_latex(expr, below: float, compact: bool) -> str:
    text, level = _latex(expr, compact)
    return _paren(text, compact) if level < below else text


def latex_symbol(name: str) -> str:
    """A symbol name in LaTeX: 'H_in' -> 'H_{in}', 'x_c' -> 'x_c', 'k2' -> 'k2'."""
    head, _, tail = name.partition("_")
    if len(tail) > 1 and tail[0].isalpha():
        return f"{head}_{{{tail}}}"
    return name


def latex_entry(name: str, indices, compact_indices: bool = True) -> str:
    """A tensor entry in LaTeX: ('x', (c, 2j+k-2)) -> 'x_{c,2j+k-2}'; 'dl/df' -> a \\frac of partials."""
    shown = ",".join(_latex(_as_expr(i), compact_indices)[0] for i in indices)
    if len(indices) == 1 and isinstance(indices[0], sympy.Symbol) and len(indices[0].name) > 1:
        shown = f"({shown})"                          # x_{in} would read back as the symbol x_in
    derivative = _DERIVATIVE_NAME.fullmatch(name)
    if derivative:
        of, wrt = derivative.groups()
        target = f"{latex_symbol(wrt)}_{{{shown}}}" if indices else latex_symbol(wrt)
        return f"\\frac{{\\partial {latex_symbol(of)}}}{{\\partial {target}}}"
    return f"{name}_{{{shown}}}" if indices else latex_symbol(name)


def _latex(e, compact: bool) -> tuple[str, float]:
    if isinstance(e, sympy.Integer):
        return str(int(e)), (_ADD if e < 0 else _ATOM)
    if isinstance(e, sympy.Rational):
        text = f"\\frac{{{abs(e.p)}}}{{{e.q}}}"
        return (f"-{text}", _ADD) if e < 0 else (text, _MUL)
    if isinstance(e, sympy.Symbol):
        return latex_symbol(e.name), _ATOM
    if isinstance(e, sympy.Indexed):
        return latex_entry(e.base.name, e.indices), _ATOM
    if isinstance(e, sympy.Add):
        return _latex_add(e, compact), _ADD
    if isinstance(e, sympy.Mul):
        return _latex_mul(e, compact)
    if isinstance(e, sympy.Pow):
        return _latex_pow(e, compact)
    if isinstance(e, sympy.Sum):
        bounds = "".join(f"\\sum_{{{_latex(v, True)[0]}={_latex(lo, True)[0]}}}^{{{_latex(hi, True)[0]}}}"
                         for v, lo, hi in reversed(e.limits))
        return f"{bounds} {_wrap_latex(e.function, _SUM, compact)}", _SUM
    if isinstance(e, sympy.floor):
        return f"\\left\\lfloor {_latex(e.args[0], compact)[0]} \\right\\rfloor", _ATOM
    if isinstance(e, sympy.ceiling):
        return f"\\left\\lceil {_latex(e.args[0], compact)[0]} \\right\\rceil", _ATOM
    if isinstance(e, sympy.Abs):
        return f"\\left|{_latex(e.args[0], compact)[0]}\\right|", _ATOM
    if isinstance(e, (sympy.Max, sympy.Min)):
        name = "\\max" if isinstance(e, sympy.Max) else "\\min"
        return f"{name}{_paren(', '.join(_latex(a, compact)[0] for a in e.args), compact)}", _ATOM
    if isinstance(e, sympy.KroneckerDelta):
        return f"\\delta_{{{','.join(_latex(a, True)[0] for a in e.args)}}}", _ATOM
    if isinstance(e, sympy.Mod):
        return f"{_wrap_latex(e.args[0], _MOD, compact)} \\bmod {_wrap_latex(e.args[1], _POW, compact)}", _MOD
    if _is_iverson(e):
        return f"\\left[{_latex(e.args[0].cond, compact)[0]}\\right]", _ATOM
    if isinstance(e, sympy.Piecewise) and e.args[-1].cond == sympy.true:
        text, level = _latex(e.args[-1].expr, compact)
        for piece in reversed(e.args[:-1]):
            inner = (f"{_latex(piece.expr, compact)[0]} \\text{{ if }} {_latex(piece.cond, compact)[0]}"
                     f" \\text{{ else }} {text}")
            text, level = _paren(inner, compact), _ATOM
        return text, level
    if isinstance(e, sympy.core.relational.Relational) and e.rel_op in _LATEX_RELATIONS:
        op = _LATEX_RELATIONS[e.rel_op]
        return f"{_wrap_latex(e.lhs, _ADD, compact)} {op} {_wrap_latex(e.rhs, _ADD, compact)}", _REL
    if isinstance(e, sympy.And):
        return " \\land ".join(_wrap_latex(a, _REL, compact) for a in e.args), _AND
    if isinstance(e, sympy.Or):
        return " \\lor ".join(_wrap_latex(a, _AND, compact) for a in e.args), _OR
    if isinstance(e, BooleanTrue):
        return "0 = 0", _REL
    if isinstance(e, BooleanFalse):
        return "0 = 1", _REL
    if _rewritable_condition(e):
        return _latex(e.to_nnf(), compact)
    return _paren(sympy.latex(e), compact), _ATOM


def _latex_add(e: sympy.Add, compact: bool) -> str:
    plus, minus = ("+", "-") if compact else (" + ", " - ")
    parts = []
    for index, term in enumerate(_ordered_terms(e)):
        negative, magnitude = _negated(term)
        text = _wrap_latex(magnitude, _MUL if negative else _SUM, compact)
        if index == 0:
            parts.append(f"-{text}" if negative else text)
        else:
            parts.append(f"{minus}{text}" if negative else f"{plus}{text}")
    return "".join(parts)


def _latex_product(factors: list, compact: bool) -> str:
    """Juxtaposed factors: '2P', 'D(K - 1)', 'D K', 'W_{1,c,k}\\,x_{c,l}'; conditions first, sums last."""
    def order(f) -> int:
        return 0 if f.is_Number else 1 if _is_iverson(f) else 3 if isinstance(f, sympy.Sum) else 2
    factors = sorted(factors, key=order)
    out = ""
    previous = None
    for index, factor in enumerate(factors):
        last = index == len(factors) - 1
        text, level = _latex(factor, compact)
        if level < _MUL and not (last and isinstance(factor, sympy.Sum)) or (factor.is_Number and previous is not None):
            text = _paren(text, compact)
        if previous is None:
            out = text
        elif previous.is_Number:
            out += " \\cdot " if text[0].isdigit() else ""
            out += text
        elif isinstance(previous, (sympy.Indexed, sympy.KroneckerDelta)) or isinstance(factor, (sympy.Indexed, sympy.KroneckerDelta)):
            out += "\\," + text
        elif text.startswith("(") or text.startswith("\\left("):
            out += text
        else:
            out += " " + text
        previous = factor
    return out


def _latex_mul(e: sympy.Mul, compact: bool) -> tuple[str, float]:
    negative, magnitude = _negated(e)
    if negative:
        text, level = _latex(magnitude, compact)
        return f"-{text if level >= _MUL else _paren(text, compact)}", _ADD
    numerator, denominator = _fraction_parts(e)
    if not denominator:
        return _latex_product(numerator, compact), _MUL
    if _number_and_sum(numerator) or _number_and_sum(denominator):
        # 2\\frac{K - 1}{S}: '\\frac{2(K - 1)}{S}' would read back with 2(K - 1) distributed
        coefficient = e.as_coeff_Mul()[0]
        rest_numerator, rest_denominator = _fraction_parts(sympy.Mul(e, 1 / coefficient))
        fraction = f"\\frac{{{_latex_braced(rest_numerator, compact, True)}}}{{{_latex_braced(rest_denominator, compact)}}}"
        return f"{_latex(coefficient, compact)[0]}{fraction}", _MUL
    return f"\\frac{{{_latex_braced(numerator, compact, True)}}}{{{_latex_braced(denominator, compact)}}}", _MUL


def _latex_braced(factors: list, compact: bool, numerator: bool = False) -> str:
    """A product inside \\frac braces: a single factor needs no parentheses.

    A numerator starting with a 'd' name is parenthesised: \\frac{dl}{df_{1,j}} would read as a derivative.
    """
    if not factors:
        return "1"
    text = _latex(factors[0], compact)[0] if len(factors) == 1 else _latex_product(factors, compact)
    return _paren(text, compact) if numerator and text.startswith("d") else text


def _latex_pow(e: sympy.Pow, compact: bool) -> tuple[str, float]:
    base, exponent = e.base, e.exp
    if exponent.is_Rational and exponent.is_negative:
        return f"\\frac{{1}}{{{_latex(sympy.Pow(base, -exponent), compact)[0]}}}", _MUL
    return f"{_wrap_latex(base, _ATOM, compact)}^{{{_latex(exponent, compact)[0]}}}", _POW


# ---- shapes and equations --------------------------------------------------------------------

def _axis_needs_parentheses(size, level: float, axes: int) -> bool:
    """Sums and negatives need parentheses between separators; so do sizes using a name starting with x
    (in '4x', 'x5' or '3xd' the x would read as an axis separator)."""
    uses_x = any(isinstance(node, (sympy.Symbol, sympy.IndexedBase)) and node.name.startswith("x")
                 for node in sympy.preorder_traversal(size))
    return level <= _ADD or uses_x or (axes == 1 and level <= _MUL)


def _reads_as_space(text: str) -> bool:
    """True for a first axis printed as 'R^...', which parse_shape would take for the space prefix 'R^{...}'."""
    return text.startswith("R^")


def shape_to_text(shape) -> str:
    """'4 x 5'; sums in parentheses: 'F x (floor((H + 2*P - D*(K - 1) - 1)/S) + 1)'; '()' for a scalar.

    A one-axis shape that is a product prints as '(2*P,)' so that it does not read back as two axes.
    """
    if len(shape) == 0:
        return "()"
    parts = []
    for size in shape:
        size = _as_expr(size)
        text, level = _text(size)
        if _axis_needs_parentheses(size, level, len(shape)) or (not parts and _reads_as_space(text)):
            text = f"({text},)" if len(shape) == 1 else f"({text})"
        parts.append(text)
    return " x ".join(parts)


def shape_to_latex(shape) -> str:
    """'4 \\times 5'; sums in \\left( \\right); '()' for a scalar."""
    if len(shape) == 0:
        return "()"
    parts = []
    for size in shape:
        size = _as_expr(size)
        text, level = _latex(size, False)
        wrap = _axis_needs_parentheses(size, level, 2) or (not parts and _reads_as_space(text))
        parts.append(f"\\left({text}\\right)" if wrap else text)
    return " \\times ".join(parts)


def _ref_text(ref: TensorRef) -> str:
    if not ref.indices:
        return ref.name
    return f"{ref.name}[{', '.join(to_text(_as_expr(i)) for i in ref.indices)}]"


def equation_to_text(eq: IndexEquation) -> str:
    """'f[1, j] = ...', 'df[1, j]/dW[1, c, k] = ...', 'dl/dW[1, c, k] = ...', or just the RHS."""
    rhs = to_text(eq.rhs)
    if eq.of is None:
        return rhs
    if eq.wrt is None:
        return f"{_ref_text(eq.of)} = {rhs}"
    return f"d{_ref_text(eq.of)}/d{_ref_text(eq.wrt)} = {rhs}"


def _ref_latex(ref: TensorRef) -> str:
    if not ref.indices:
        return latex_symbol(ref.name)
    return f"{ref.name}_{{{','.join(_latex(_as_expr(i), True)[0] for i in ref.indices)}}}"


def equation_to_latex(eq: IndexEquation) -> str:
    """'\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}} = x_{c,2j+k-2}', 'f_{1,j} = \\sum_{c=1}^{2}...'."""
    rhs = to_latex(eq.rhs)
    if eq.of is None:
        return rhs
    if eq.wrt is None:
        return f"{_ref_latex(eq.of)} = {rhs}"
    return f"\\frac{{\\partial {_ref_latex(eq.of)}}}{{\\partial {_ref_latex(eq.wrt)}}} = {rhs}"

"""Printers: hand-written expected strings, and round trips printer -> parser on random expressions."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.notation import (equation_to_latex, equation_to_text, parse_equation, parse_expression,
                             parse_relation, parse_shape, shape_to_latex, shape_to_text, to_latex, to_text)
from solver.notation.equation import IndexEquation, TensorRef

H, W, P, D, K, S, F = (sympy.Symbol(n, integer=True) for n in "HWPDKSF")
a, b, c, j, k, l, m = (sympy.Symbol(n, integer=True) for n in "abcjklm")
OUT = sympy.floor((H + 2 * P - D * (K - 1) - 1) / S) + 1


def entry(name, *indices):
    return sympy.Indexed(sympy.IndexedBase(name), *indices)


# ---- hand-written expected output ---------------------------------------------------------

def test_to_text_examples():
    assert to_text(OUT) == "floor((H + 2*P - D*(K - 1) - 1)/S) + 1"
    assert to_text(entry("x", c, 2 * j + k - 2)) == "x[c, 2*j + k - 2]"
    assert to_text(sympy.Sum(entry("a", k), (k, 1, 3))) == "Sum(a[k], (k, 1, 3))"
    assert to_text(sympy.ceiling(a / 2)) == "ceil(a/2)"
    assert to_text(sympy.KroneckerDelta(j, k)) == "delta(j, k)"
    assert to_text(sympy.Piecewise((entry("x", m), sympy.Le(m, 3)), (0, True))) == "(x[m] if m <= 3 else 0)"
    assert to_text(-a / 2) == "-a/2"
    assert to_text((a + b) ** 2) == "(a + b)^2"
    assert to_text(sympy.Pow(a, -1)) == "1/a"
    assert to_text(sympy.Rational(3, 4)) == "3/4"
    assert to_text(sympy.Mod(a, b, evaluate=False)) == "a % b"
    assert to_text(sympy.Max(a, b)) == "max(a, b)"
    assert to_text(sympy.Abs(a - b)) == "abs(a - b)"
    assert to_text(sympy.Le(1, m)) == "1 <= m"
    assert to_text(7) == "7"


def test_to_latex_examples():
    assert to_latex(OUT) == "\\left\\lfloor \\frac{H + 2P - D\\left(K - 1\\right) - 1}{S} \\right\\rfloor + 1"
    assert to_latex(entry("x", c, 2 * j + k - 2)) == "x_{c,2j+k-2}"
    assert to_latex(2 * P) == "2P"
    assert to_latex(D * K) == "D K"
    assert to_latex(sympy.Symbol("H_in", integer=True)) == "H_{in}"
    assert to_latex(sympy.ceiling(a / 2)) == "\\left\\lceil \\frac{a}{2} \\right\\rceil"
    assert to_latex(sympy.KroneckerDelta(l, m)) == "\\delta_{l,m}"
    assert to_latex(sympy.Sum(entry("a", k), (k, 1, 3))) == "\\sum_{k=1}^{3} a_{k}"
    assert to_latex(sympy.Piecewise((1, sympy.Le(m, 3)), (0, True))) == "\\left[m \\le 3\\right]"
    assert to_latex(entry("dl/df", 1, j)) == "\\frac{\\partial l}{\\partial f_{1,j}}"


def test_shape_printers():
    row = OUT
    col = OUT.subs(H, W)
    assert shape_to_text((4, 5)) == "4 x 5"
    assert shape_to_latex((4, 5)) == "4 \\times 5"
    assert shape_to_text((1, 2, 1, 2, 3)) == "1 x 2 x 1 x 2 x 3"
    # The input size first, as textbooks write it (W + 2P, not sympy's 2P + W).
    assert shape_to_text((F, row, col)) == ("F x (floor((H + 2*P - D*(K - 1) - 1)/S) + 1)"
                                            " x (floor((W + 2*P - D*(K - 1) - 1)/S) + 1)")
    assert shape_to_text(()) == "()"
    assert shape_to_text((2 * P,)) == "(2*P,)"


def test_equation_printers():
    forward = IndexEquation(TensorRef("f", (1, j)), None,
                            sympy.Sum(entry("W", 1, c, k) * entry("x", c, 2 * j + k - 2), (c, 1, 2), (k, 1, 3)))
    assert equation_to_text(forward) == "f[1, j] = Sum(W[1, c, k]*x[c, 2*j + k - 2], (c, 1, 2), (k, 1, 3))"
    local = IndexEquation(TensorRef("f", (1, j)), TensorRef("W", (1, c, k)), entry("x", c, 2 * j + k - 2))
    assert equation_to_text(local) == "df[1, j]/dW[1, c, k] = x[c, 2*j + k - 2]"
    assert equation_to_latex(local) == "\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}} = x_{c,2j+k-2}"
    grad = IndexEquation(TensorRef("l"), TensorRef("W", (1, c, k)),
                         sympy.Sum(entry("g", 1, j) * entry("x", c, 2 * j + k - 2), (j, 1, 2)))
    assert equation_to_text(grad) == "dl/dW[1, c, k] = Sum(g[1, j]*x[c, 2*j + k - 2], (j, 1, 2))"
    merged = IndexEquation(TensorRef("f", (1, j)), None,
                           sympy.Sum(entry("W", 1, c, k) * entry("x", c, 2 * j + k - 2), (k, 1, 3), (c, 1, 2)))
    assert equation_to_latex(merged) == ("f_{1,j} = \\sum_{c=1}^{2}\\sum_{k=1}^{3} W_{1,c,k}\\,x_{c,2j+k-2}")
    assert equation_to_text(IndexEquation(None, None, entry("x", c))) == "x[c]"


def test_equations_round_trip():
    texts = ["f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]",
             "df[1,j]/dW[1,c,k] = x[c, 2*j+k-2]",
             "dl/dW[1,c,k] = sum_{j=1}^{2} dl/df[1,j] x[c, 2(j-1)+k]",
             "dl/dx[c,l] = Sum(dl/df[1,j]*W[1,c,l-2*j+2]*[1 <= l-2*j+2 <= 3], (j, 1, 2))",
             "x[c] + 1"]
    for text in texts:
        eq = parse_equation(text)
        assert parse_equation(equation_to_text(eq)) == eq, text
        assert parse_equation(equation_to_latex(eq)) == eq, text


def test_shapes_round_trip():
    shapes = [(4, 5), (1, 2, 1, 2, 3), (F, OUT, OUT.subs(H, W)), (2 * P,), (H - K + 1,), (), (7,),
              (sympy.Symbol("x", integer=True) + 1, 3)]
    for shape in shapes:
        expected = tuple(sympy.Integer(s) if isinstance(s, int) else s for s in shape)
        assert parse_shape(shape_to_text(shape), names={"H", "W", "P", "D", "K", "S", "F"}) == expected
        assert parse_shape(shape_to_latex(shape), names={"H", "W", "P", "D", "K", "S", "F"}) == expected


def test_conditions_sympy_rewrites_print_as_and_or():
    # sympy turns a Piecewise inside a comparison into ITE; it prints in and/or form with the same truth table
    condition = sympy.Lt(0, sympy.Piecewise((H, H <= 3), (0, True)))
    for printed in (to_text(condition), to_latex(condition)):
        back = parse_relation(printed)
        for value in range(-3, 7):
            assert bool(back.subs(H, value)) == (0 < (value if value <= 3 else 0)), printed


def test_relations_round_trip():
    for text in ["1 <= m <= 3", "H >= K", "a == b", "a != b", "a < b or b < c", "(a < b or b < c) and c <= 3"]:
        relation = parse_relation(text)
        assert parse_relation(to_text(relation)) == relation
        assert parse_relation(to_latex(relation)) == relation


# ---- random round trips ---------------------------------------------------------------------

SYMBOLS = [H, K, P, S, a, b, sympy.Symbol("H_in", integer=True), sympy.Symbol("x_c", integer=True)]
BOUND = [sympy.Symbol(n, integer=True) for n in ("i", "k", "q")]


def _leaf():
    return st.one_of(
        st.sampled_from(SYMBOLS),
        st.integers(-12, 12).map(sympy.Integer),
        st.tuples(st.sampled_from(["x", "W", "dl/df"]),
                  st.lists(st.one_of(st.sampled_from(SYMBOLS[:4] + BOUND), st.integers(0, 3)), min_size=1, max_size=3))
        .map(lambda t: entry(t[0], *t[1])),
    )


def _max_or_sum(pair):
    try:
        return sympy.Max(*pair)
    except ValueError:          # sympy refuses Max of values it cannot compare
        return sympy.Add(*pair)


def _grow(children):
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda t: sympy.Add(*t)),
        pair.map(lambda t: sympy.Mul(*t)),
        st.tuples(children, st.sampled_from(SYMBOLS[:4])).map(lambda t: t[0] / t[1]),
        st.tuples(children, st.integers(2, 3)).map(lambda t: sympy.Pow(t[0], t[1])),
        st.tuples(children, st.integers(2, 4)).map(lambda t: sympy.floor(t[0] / t[1])),
        st.tuples(children, st.integers(2, 4)).map(lambda t: sympy.ceiling(t[0] / t[1])),
        st.tuples(children, st.sampled_from(BOUND), st.integers(0, 2), st.sampled_from([K, sympy.Integer(3)]))
        .map(lambda t: sympy.Sum(t[0], (t[1], t[2], t[3]))),
        pair.map(lambda t: sympy.KroneckerDelta(*t)),
        st.tuples(children, st.sampled_from(SYMBOLS)).map(_max_or_sum),
        st.tuples(children, st.sampled_from(SYMBOLS)).map(lambda t: sympy.Piecewise((t[0], sympy.Le(t[1], 3)), (0, True))),
        st.sampled_from(SYMBOLS).map(lambda s: sympy.Piecewise((1, sympy.Lt(0, s)), (0, True))),
    )


EXPRESSIONS = st.recursive(_leaf(), _grow, max_leaves=8)


def merged(expr):
    """``expr`` with every Sum(Sum(f, inner...), outer...) written as Sum(f, inner..., outer...) (same value)."""
    if not expr.args:
        return expr
    args = [merged(arg) if isinstance(arg, sympy.Basic) else arg for arg in expr.args]
    if isinstance(expr, sympy.Sum) and isinstance(args[0], sympy.Sum):
        return sympy.Sum(args[0].function, *args[0].limits, *expr.limits)
    return expr.func(*args) if args != list(expr.args) else expr


def same(parsed, original) -> bool:
    if parsed == merged(original) or parsed == original:
        return True
    has_sum = any(isinstance(node, sympy.Sum) for node in sympy.preorder_traversal(original))
    return not has_sum and sympy.expand(parsed - original) == 0


@settings(max_examples=250, deadline=None)
@given(EXPRESSIONS)
def test_text_round_trip(expr):
    text = to_text(expr)
    assert same(parse_expression(text), expr), text


@settings(max_examples=250, deadline=None)
@given(EXPRESSIONS)
def test_latex_round_trip(expr):
    text = to_latex(expr)
    assert same(parse_expression(text), expr), text

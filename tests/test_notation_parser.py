"""The notation parser: every accepted form, checked against hand-built sympy objects.

Expected values are written by hand with explicit sympy constructors, computed
independently with Python integers (the hypothesis sweep), or taken from
PyTorch (conv output shapes).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.notation import (NotationError, parse_equation, parse_expression, parse_relation,
                             parse_shape)
from solver.notation.equation import IndexEquation, TensorRef

torch.set_num_threads(1)

H, W, P, D, K, S, F = (sympy.Symbol(n, integer=True) for n in "HWPDKSF")
a, b, c, j, k, l, m, x, y = (sympy.Symbol(n, integer=True) for n in "abcjklmxy")
NAMES = {"H", "W", "P", "D", "K", "S", "F"}


def entry(name, *indices):
    return sympy.Indexed(sympy.IndexedBase(name), *indices)


def iverson(cond):
    return sympy.Piecewise((1, cond), (0, True))


def parse(text, names=NAMES):
    return parse_expression(text, names=names)


# ---- the hand-derived examples of the brief -------------------------------------------------

def test_brief_examples():
    out = sympy.floor((H + 2 * P - D * (K - 1) - 1) / S) + 1
    assert parse("2P") == 2 * P
    assert parse("D(K-1)") == D * (K - 1)
    assert parse("floor((H+2P-D(K-1)-1)/S)+1") == out
    assert parse("\u230a(H\u2212K)/S\u230b+1") == sympy.floor((H - K) / S) + 1
    assert parse("\\left\\lfloor \\frac{H-K}{S} \\right\\rfloor + 1") == sympy.floor((H - K) / S) + 1
    assert parse("S") == sympy.Symbol("S", integer=True)
    assert parse("sum_{k=1}^{3} a[k] b[k] + c") == sympy.Sum(entry("a", k) * entry("b", k), (k, 1, 3)) + c


def test_ceil_is_a_function_not_a_product():
    assert parse("ceil(x/2)", names={"c", "e", "i", "l", "x"}) == sympy.ceiling(x / 2)
    assert parse("ceil(x)", names={"c", "e", "i", "l", "x"}) in (sympy.ceiling(x, evaluate=False), x)
    assert parse("ceil(x/2)").func is sympy.ceiling


# ---- plain-text forms -----------------------------------------------------------------------

PLAIN = [
    ("a + b - c", a + b - c),
    ("a * b / c", a * b / c),
    ("7 / 2", sympy.Rational(7, 2)),
    ("a // b", sympy.floor(a / b)),
    ("7 // 2", 3),
    ("a % b", sympy.Mod(a, b, evaluate=False)),
    ("7 % 3", 1),
    ("a ^ 2", a**2),
    ("a ** 2", a**2),
    ("2 ^ 3 ^ 2", 512),                    # right-associative: 2^(3^2)
    ("2 ** 3 ** 2", 512),
    ("-a^2", -(a**2)),
    ("2^-1", sympy.Rational(1, 2)),
    ("--a", a),
    ("-(a + b)", -a - b),
    ("{a + b} c", (a + b) * c),
    ("2P", 2 * P),
    ("2 P", 2 * P),
    ("D(K-1)", D * (K - 1)),
    ("2(j-1)", 2 * j - 2),
    ("(a)(b)", a * b),
    ("W[1,c,k] x[c, 2(j-1)+k]", entry("W", 1, c, k) * entry("x", c, 2 * j - 2 + k)),
    ("g[1,j]x[c,l]", entry("g", 1, j) * entry("x", c, l)),
    ("0.5", sympy.Rational(1, 2)),
    ("0.25 a", a / 4),
    (".5", sympy.Rational(1, 2)),
    ("12.50", sympy.Rational(25, 2)),
    ("x", x),
    ("H_in + k2", sympy.Symbol("H_in", integer=True) + sympy.Symbol("k2", integer=True)),
    ("S + N + E + I + O + Q + e + pi",
     sum(sympy.Symbol(n, integer=True) for n in ["S", "N", "E", "I", "O", "Q", "e", "pi"])),
    ("max(a, b)", sympy.Max(a, b)),
    ("min(a, b, 3)", sympy.Min(a, b, 3, evaluate=False)),
    ("max(2, 5)", 5),
    ("abs(a - b)", sympy.Abs(a - b)),
    ("Floor(a/2) + CEILING(a/2) + ceil(b/3)", sympy.floor(a / 2) + sympy.ceiling(a / 2) + sympy.ceiling(b / 3)),
    ("delta(a, b)", sympy.KroneckerDelta(a, b)),
    ("KroneckerDelta(a, b)", sympy.KroneckerDelta(a, b)),
    ("delta_{a,b}", sympy.KroneckerDelta(a, b)),
]

UNICODE = [
    ("a \u00d7 b", a * b), ("a \u00b7 b", a * b), ("a \u22c5 b", a * b), ("a \u2217 b", a * b),
    ("a \u2212 b", a - b), ("a \u2013 b", a - b),
    ("\u03a3_{k=1}^{3} x[k]", sympy.Sum(entry("x", k), (k, 1, 3))),
    ("\u230a a/2 \u230b", sympy.floor(a / 2)), ("\u2308 a/2 \u2309", sympy.ceiling(a / 2)),
    ("\u03b4(a, b)", sympy.KroneckerDelta(a, b)), ("\u03b4_{a,b}", sympy.KroneckerDelta(a, b)),
    ("[a \u2264 b]", iverson(a <= b)), ("[a \u2265 b]", iverson(a >= b)), ("[a \u2260 b]", iverson(sympy.Ne(a, b))),
    ("a\u00a0+\u2009b\u200b", a + b),
    ("\u2202l/\u2202f[1, j]", entry("dl/df", 1, j)),
]

LATEX = [
    ("\\frac{a}{b}", a / b),
    ("\\dfrac{a+1}{b}", (a + 1) / b),
    ("\\left( a + b \\right) c", (a + b) * c),
    ("\\left\\lfloor \\frac{a}{2} \\right\\rfloor", sympy.floor(a / 2)),
    ("\\lfloor a/2 \\rfloor + \\lceil a/2 \\rceil", sympy.floor(a / 2) + sympy.ceiling(a / 2)),
    ("a \\cdot b \\times c", a * b * c),
    ("\\sum_{k=1}^{3} x_{k}", sympy.Sum(entry("x", k), (k, 1, 3))),
    ("x_{c,2(j-1)+k}", entry("x", c, 2 * j - 2 + k)),
    ("W_{1,c,k}", entry("W", 1, c, k)),
    ("\\delta_{l,m}", sympy.KroneckerDelta(l, m)),
    ("\\frac{\\partial l}{\\partial f_{1,j}}", entry("dl/df", 1, j)),
    ("\\mathrm{floor}(a/2)", sympy.floor(a / 2)),
    ("\\operatorname{floor}\\left(\\frac{a}{2}\\right)", sympy.floor(a / 2)),
    ("H_{\\mathrm{in}}", sympy.Symbol("H_in", integer=True)),
    ("a\\,b\\;c\\!y\\quad x", a * b * c * y * x),
    ("[a \\le b] + [a \\leq c]", iverson(a <= b) + iverson(a <= c)),
    ("[a \\ge b] + [a \\geq c]", iverson(a >= b) + iverson(a >= c)),
    ("[a \\ne b] + [a \\neq c]", iverson(sympy.Ne(a, b)) + iverson(sympy.Ne(a, c))),
    ("x^{2}", x**2),
    ("x^{a+1}", x**(a + 1)),
    ("$a + b$", a + b),
    ("\\max(a, b)", sympy.Max(a, b)),
    ("\\left|a - b\\right|", sympy.Abs(a - b)),
    ("a \\bmod b", sympy.Mod(a, b, evaluate=False)),
    ("\\sum\\limits_{k=1}^{3} x_{k}", sympy.Sum(entry("x", k), (k, 1, 3))),
]


@pytest.mark.parametrize("text, expected", PLAIN + UNICODE + LATEX, ids=lambda v: str(v)[:40])
def test_accepted_forms(text, expected):
    assert parse(text) == expected


def test_division_is_exact_and_uses_integer_symbols():
    value = parse("(H - K)/S")
    assert value == sympy.Mul(H - K, sympy.Pow(S, -1))
    assert all(s.is_integer for s in value.free_symbols)


# ---- identifiers: splitting and subscripts ------------------------------------------------

def test_multi_letter_identifier_splits_only_into_known_one_letter_names():
    assert parse("HW", names={"H", "W"}) == H * W
    assert parse("DK", names={"D", "K"}) == D * K
    assert parse("2HW", names={"H", "W"}) == 2 * H * W
    assert parse("HW", names={"H", "W", "HW"}) == sympy.Symbol("HW", integer=True)
    assert parse("HX", names={"H", "W"}) == sympy.Symbol("HX", integer=True)
    assert parse("HW", names=()) == sympy.Symbol("HW", integer=True)


def test_subscript_rule():
    # a comma or an expression: entry; one multi-letter identifier: symbol; one letter/number: entry
    assert parse("x_{c,l}") == entry("x", c, l)
    assert parse("x_{l}") == entry("x", l)
    assert parse("b_{1}") == entry("b", 1)
    assert parse("x_{2j+1}") == entry("x", 2 * j + 1)
    assert parse("H_{in}") == sympy.Symbol("H_in", integer=True)
    assert parse("H_{in}", names=()) == sympy.Symbol("H_in", integer=True)
    # ... unless the joined name is a known name
    assert parse("K_{h}", names={"K_h"}) == sympy.Symbol("K_h", integer=True)
    assert parse("x_{1}", names={"x_1"}) == sympy.Symbol("x_1", integer=True)
    # without braces the subscript is part of the identifier
    assert parse("x_c") == sympy.Symbol("x_c", integer=True)


def test_bracket_after_name_indexes_unless_it_holds_a_condition():
    assert parse("m[1]") == entry("m", 1)
    assert parse("m[m <= 3]") == m * iverson(m <= 3)
    assert parse("x[1] [m < 3]") == entry("x", 1) * iverson(m < 3)


def test_call_like_use_of_unknown_name_is_an_error_but_juxtaposition_multiplies():
    assert parse("foo(a)") == sympy.Symbol("foo", integer=True) * a
    with pytest.raises(NotationError, match="unknown function 'foo'.*accepted functions: floor, ceil"):
        parse("foo(a, b)")
    with pytest.raises(NotationError, match="unknown function 'foo'"):
        parse("foo()")


# ---- sums ---------------------------------------------------------------------------------

def test_sum_forms_are_equal():
    expected = sympy.Sum(entry("x", k), (k, 1, 3))
    for text in ["sum_{k=1}^{3} x[k]", "sum_{k=1}^3 x[k]", "\u03a3_{k=1}^{3} x[k]", "\\sum_{k=1}^{3} x[k]",
                 "Sum(x[k], (k, 1, 3))", "sum(x[k], (k, 1, 3))", "sum_{k = 1}^{3} x_{k}"]:
        assert parse(text) == expected, text


def test_sum_body_is_the_following_product():
    assert parse("sum_{k=1}^{3} a[k] b[k] + c") == sympy.Sum(entry("a", k) * entry("b", k), (k, 1, 3)) + c
    assert parse("sum_{k=1}^{3} a[k] - c") == sympy.Sum(entry("a", k), (k, 1, 3)) - c
    assert parse("sum_{k=1}^{3} (a[k] + c)") == sympy.Sum(entry("a", k) + c, (k, 1, 3))
    assert parse("2 sum_{k=1}^{K} a[k] * 3") == 2 * sympy.Sum(3 * entry("a", k), (k, 1, K))
    assert parse("sum_{k=1}^{3} -a[k]") == sympy.Sum(-entry("a", k), (k, 1, 3))


def test_nested_sums_merge_innermost_first():
    expected = sympy.Sum(entry("W", 1, c, k) * entry("x", c, k), (k, 1, 3), (c, 1, 2))
    assert parse("sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,k]") == expected
    assert parse("Sum(Sum(W[1,c,k]*x[c,k], (k, 1, 3)), (c, 1, 2))") == expected
    two_limit = parse("Sum(W[1,c,k]*x[c,k], (c, 1, 2), (k, 1, 3))")
    assert two_limit.limits == ((c, 1, 2), (k, 1, 3))
    assert sympy.expand(two_limit.doit()) == sympy.expand(expected.doit())


def test_sum_bounds_may_be_symbolic_and_dependent():
    value = parse("sum_{k=1}^{K} sum_{j=k}^{K} x[j]")
    assert value == sympy.Sum(entry("x", j), (j, k, K), (k, 1, K))
    brute = sum(entry("x", jj) for kk in range(1, 5) for jj in range(kk, 5))
    assert sympy.expand(unroll(value.subs(K, 4))) == sympy.expand(brute)


def unroll(expr):
    """A sum with numeric outer bounds written out term by term, outermost limit first."""
    if not isinstance(expr, sympy.Sum):
        return expr
    variable, lower, upper = expr.limits[-1]
    inner = sympy.Sum(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1 else expr.function
    return sum(unroll(inner.subs(variable, value)) for value in range(int(lower), int(upper) + 1))


@pytest.mark.parametrize("text", ["sum x[k]", "sum_k x[k]", "\\sum x_k", "sum_{k=1} x[k]", "Sum(x[k])"])
def test_sum_without_bounds_is_an_error_that_shows_the_syntax(text):
    with pytest.raises(NotationError, match=r"sum_\{k=1\}\^\{3\}"):
        parse(text)


# ---- conditionals and relations -----------------------------------------------------------

def test_conditionals():
    between = sympy.And(1 <= m, m <= 3)
    assert parse("x[m] if 1 <= m <= 3 else 0") == sympy.Piecewise((entry("x", m), between), (0, True))
    assert parse("[1 <= m <= 3]") == iverson(between)
    assert parse("[1 <= m and m <= 3] x[m]") == iverson(between) * entry("x", m)
    assert parse("[m < 1 or m > 3]") == iverson(sympy.Or(m < 1, m > 3))
    assert parse("[m > 1 \\land m < 3]") == iverson(sympy.And(m > 1, m < 3))
    assert parse("(a if m == 2 else b)") == sympy.Piecewise((a, sympy.Eq(m, 2)), (b, True))
    assert parse("[1 <= 2]") == 1


def test_parse_relation():
    assert parse_relation("H >= K", names=NAMES) == (H >= K)
    assert parse_relation("P >= 0", names=NAMES) == (P >= 0)
    assert parse_relation("1 <= m <= 3") == sympy.And(sympy.Le(1, m), sympy.Le(m, 3))
    assert parse_relation("a == b") == sympy.Eq(a, b)
    assert parse_relation("a = b") == sympy.Eq(a, b)
    assert parse_relation("a != b") == sympy.Ne(a, b)
    assert parse_relation("a < b") == (a < b)
    assert parse_relation("a > b") == (a > b)
    assert parse_relation("a \u2264 b \u2264 c") == sympy.And(sympy.Le(a, b), sympy.Le(b, c))
    with pytest.raises(NotationError, match="expected a condition"):
        parse_relation("a + b")


def test_a_condition_is_not_an_expression():
    with pytest.raises(NotationError, match="condition"):
        parse("a < b")
    with pytest.raises(NotationError, match="condition"):
        parse("(a < b) + 1")


# ---- shapes -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("4 x 5", (4, 5)), ("4\u00d75", (4, 5)), ("4x5", (4, 5)), ("4 * 5", (4, 5)), ("(4, 5)", (4, 5)),
    ("[4, 5]", (4, 5)), ([4, 5], (4, 5)), ((4, 5), (4, 5)), (7, (7,)), ("2", (2,)), ("(5,)", (5,)),
    ("R^{4x5}", (4, 5)), ("R^(4x5)", (4, 5)), ("\u211d^{4\u00d75}", (4, 5)), ("R^{1x2x3}", (1, 2, 3)),
    ("\\mathbb{R}^{4 \\times 5}", (4, 5)), ("$\\mathbb{R}^{4\\times 5}$", (4, 5)),
    ("1 x 2 x 1 x 2 x 3", (1, 2, 1, 2, 3)), ("1x2x1x2x3", (1, 2, 1, 2, 3)), ("()", ()), ([], ()),
    (["F", "H - K + 1"], (F, H - K + 1)), ([sympy.Integer(3), "2P"], (3, 2 * P)),
    ("F x H x W", (F, H, W)), ("2P x 3", (2 * P, 3)),
])
def test_parse_shape(value, expected):
    assert parse_shape(value, names=NAMES) == tuple(sympy.Integer(e) if isinstance(e, int) else e for e in expected)


def test_symbolic_shape_with_floor_entries():
    row = sympy.floor((H + 2 * P - D * (K - 1) - 1) / S) + 1
    col = sympy.floor((W + 2 * P - D * (K - 1) - 1) / S) + 1
    text = "F x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)"
    assert parse_shape(text, names=NAMES) == (F, row, col)
    # an 'x' separator at bracket level 0 even without parentheses around the sizes
    assert parse_shape("F x floor((H-K)/S)+1 x 3", names=NAMES) == (F, sympy.floor((H - K) / S) + 1, 3)
    # '*' separates only when no x/×/, does
    assert parse_shape("F x 2*P", names=NAMES) == (F, 2 * P)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(3, 12), w=st.integers(3, 12), kernel=st.integers(1, 3), stride=st.integers(1, 3),
       pad=st.integers(0, 2), dil=st.integers(1, 2), filters=st.integers(1, 3))
def test_symbolic_conv_shape_matches_pytorch(h, w, kernel, stride, pad, dil, filters):
    if h + 2 * pad < dil * (kernel - 1) + 1 or w + 2 * pad < dil * (kernel - 1) + 1:
        return
    shape = parse_shape("F x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)", names=NAMES)
    values = {F: filters, H: h, W: w, P: pad, D: dil, K: kernel, S: stride}
    weight = torch.zeros(filters, 1, kernel, kernel)
    out = torch.nn.functional.conv2d(torch.zeros(1, 1, h, w), weight, stride=stride, padding=pad, dilation=dil)
    assert tuple(int(size.subs(values)) for size in shape) == tuple(out.shape[1:])


def test_shape_errors():
    with pytest.raises(NotationError):
        parse_shape("4 x")
    with pytest.raises(NotationError):
        parse_shape("")
    with pytest.raises(NotationError):
        parse_shape([True, 2])
    with pytest.raises(NotationError):
        parse_shape([4.5])
    with pytest.raises(NotationError):
        parse_shape(None)


# ---- equations ----------------------------------------------------------------------------

def test_forward_equation_of_the_brief():
    eq = parse_equation("f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]")
    assert eq.of == TensorRef("f", (1, j)) and eq.wrt is None
    nested = sympy.Sum(sympy.Sum(entry("W", 1, c, k) * entry("x", c, 2 * (j - 1) + k), (k, 1, 3)), (c, 1, 2))
    assert eq.rhs == sympy.Sum(entry("W", 1, c, k) * entry("x", c, 2 * j + k - 2), (k, 1, 3), (c, 1, 2))
    assert sympy.expand(eq.rhs.doit()) == sympy.expand(nested.doit())
    brute = sum(entry("W", 1, cc, kk) * entry("x", cc, 2 * (j - 1) + kk) for cc in (1, 2) for kk in (1, 2, 3))
    assert sympy.expand(eq.rhs.doit()) == sympy.expand(brute)


@pytest.mark.parametrize("text, of, wrt", [
    ("f[1,j] = 0", TensorRef("f", (1, j)), None),
    ("f_{1,j} = 0", TensorRef("f", (1, j)), None),
    ("f_W(x)[1,j] = 0", TensorRef("f", (1, j)), None),
    ("df[1,j]/dW[1,c,k] = 0", TensorRef("f", (1, j)), TensorRef("W", (1, c, k))),
    ("\u2202f[1,j]/\u2202x[c,l] = 0", TensorRef("f", (1, j)), TensorRef("x", (c, l))),
    ("\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}} = 0", TensorRef("f", (1, j)), TensorRef("W", (1, c, k))),
    ("dl/dW[1,c,k] = 0", TensorRef("l"), TensorRef("W", (1, c, k))),
    ("\u2202l/\u2202W[1,c,k] = 0", TensorRef("l"), TensorRef("W", (1, c, k))),
    ("d l / d W [1, c, k] = 0", TensorRef("l"), TensorRef("W", (1, c, k))),
    ("$\\frac{\\partial l}{\\partial W_{1,c,k}} = 0$", TensorRef("l"), TensorRef("W", (1, c, k))),
])
def test_equation_left_hand_sides(text, of, wrt):
    assert parse_equation(text) == IndexEquation(of=of, wrt=wrt, rhs=sympy.Integer(0))


def test_equation_without_left_hand_side():
    assert parse_equation("x[c, 2*j+k-2]") == IndexEquation(None, None, entry("x", c, 2 * j + k - 2))


def test_upstream_gradient_alias_in_the_right_hand_side():
    text = "dl/dW[1,c,k] = sum_{j=1}^{2} dl/df[1,j] x[c, 2(j-1)+k]"
    expected = sympy.Sum(entry("g", 1, j) * entry("x", c, 2 * j + k - 2), (j, 1, 2))
    assert parse_equation(text, aliases={"dl/df": "g"}).rhs == expected
    assert parse_equation(text.replace("dl/df", "\u2202l/\u2202f"), aliases={"dl/df": "g"}).rhs == expected
    unaliased = parse_equation(text).rhs
    assert unaliased == expected.subs(sympy.IndexedBase("g"), sympy.IndexedBase("dl/df"))


def test_equation_errors():
    with pytest.raises(NotationError, match="left-hand side"):
        parse_equation("f[1,j] + 1 = 2")
    with pytest.raises(NotationError, match="more than one '='"):
        parse_equation("f[1] = 1 = 2")
    with pytest.raises(NotationError, match="left-hand side"):
        parse_equation("= 2")
    with pytest.raises(NotationError):
        parse_equation("f[1,j] = a < b")


# ---- an independent sweep: random integer arithmetic evaluated with Python ---------------

VALUES = {"H": 7, "K": 3, "P": 2, "S": 2}


@st.composite
def arithmetic(draw, depth=0):
    """(text, exact value) pairs; the value is computed with Python's Fraction/int, not sympy."""
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            n = draw(st.integers(0, 30))
            return str(n), Fraction(n)
        name = draw(st.sampled_from(sorted(VALUES)))
        return name, Fraction(VALUES[name])
    kind = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "^", "max", "min", "abs", "floor", "ceil",
                                 "neg", "juxt", "unicode*", "unicode-", "latexfrac", "floorbr"]))
    left, lv = draw(arithmetic(depth=depth + 1))
    right, rv = draw(arithmetic(depth=depth + 1))
    if kind == "+":
        return f"({left} + {right})", lv + rv
    if kind in ("-", "unicode-"):
        return f"({left} {'-' if kind == '-' else chr(0x2212)} {right})", lv - rv
    if kind in ("*", "unicode*"):
        return f"({left} {'*' if kind == '*' else chr(0xd7)} {right})", lv * rv
    if kind == "juxt":
        return f"({left})({right})", lv * rv
    if kind == "neg":
        return f"(-{left})", -lv
    if kind == "abs":
        return f"abs({left})", abs(lv)
    if kind == "max":
        return f"max({left}, {right})", max(lv, rv)
    if kind == "min":
        return f"min({left}, {right})", min(lv, rv)
    if kind == "floor":
        return f"floor({left})", Fraction(math.floor(lv))
    if kind == "ceil":
        return f"ceil({left})", Fraction(math.ceil(lv))
    if kind == "^":
        e = draw(st.integers(0, 3))
        return f"({left})^{e}", lv**e
    if rv == 0:
        return f"({left} + {right})", lv + rv
    if kind == "/":
        return f"({left})/({right})", lv / rv
    if kind == "latexfrac":
        return f"\\frac{{{left}}}{{{right}}}", lv / rv
    if kind == "floorbr":
        return f"\u230a({left})/({right})\u230b", Fraction(math.floor(lv / rv))
    if kind == "//":
        return f"(({left}) // ({right}))", Fraction(math.floor(lv / rv))
    return f"(({left}) % ({right}))", lv - rv * math.floor(lv / rv)


@settings(max_examples=300, deadline=None)
@given(arithmetic())
def test_random_arithmetic_matches_python(pair):
    text, value = pair
    parsed = parse_expression(text, names=set(VALUES))
    # all symbols at once: sympy's Mod.eval is wrong on some partly substituted forms (Mod(-2*K, 7*K) -> -2*K)
    substituted = parsed.xreplace({sympy.Symbol(n, integer=True): sympy.Integer(v) for n, v in VALUES.items()})
    assert substituted == sympy.Rational(value.numerator, value.denominator), text

"""Hostile input: every size limit, injection attempts, junk and wrong types give a quick NotationError."""

from __future__ import annotations

import ast
import pathlib
import random
import sys
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import solver.notation as notation
from solver.notation import DivisionByZero, evaluate_tree, read_expression
from solver.notation import (NotationError, parse_equation, parse_expression, parse_relation, parse_shape,
                             to_latex, to_text)
from solver.notation.limits import (MAX_DEPTH, MAX_FUNCTION_ARGS, MAX_NUMBER_DIGITS, MAX_SUM_TERMS,
                                    MAX_TEXT_LENGTH, MAX_TOKENS)

PARSERS = (parse_expression, parse_relation, parse_equation, parse_shape)


def refused(text, parser=parse_expression, match=None, seconds=1.0):
    """Assert ``parser(text)`` raises NotationError within ``seconds``; return the error."""
    start = time.perf_counter()
    with pytest.raises(NotationError, match=match) as info:
        parser(text)
    assert time.perf_counter() - start < seconds
    return info.value


# ---- size limits ----------------------------------------------------------------------------

def test_limits_are_the_documented_values():
    assert (MAX_TEXT_LENGTH, MAX_TOKENS, MAX_DEPTH, MAX_NUMBER_DIGITS, MAX_SUM_TERMS) == (2000, 1000, 50, 30, 10**6)


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text", ["x+" * 50000, "(" * 10000, "-" * 5000 + "1", "x" * (1 << 20), "1" * 2001])
def test_long_text_is_refused_at_once(parser, text):
    refused(text, parser, match="too long", seconds=0.05)


def test_text_at_the_length_limit_is_accepted():
    assert parse_expression("x" + " " * (MAX_TEXT_LENGTH - 1)) == sympy.Symbol("x", integer=True)


def test_too_many_tokens():
    refused("x+" * 600, match="too many tokens")
    assert parse_expression("+".join(["x"] * 400)) == 400 * sympy.Symbol("x", integer=True)


@pytest.mark.parametrize("text", [
    "(" * 60 + "1" + ")" * 60,
    "floor(" * 60 + "x" + ")" * 60,
    "sum_{k=1}^{3} " * 60 + "x[k]",
    "[" * 55 + "1 < 2" + "]" * 55,
    "x if 1 < 2 else " * 60 + "0",
])
def test_deep_nesting_is_refused(text):
    refused(text, match="nested too deeply")


def test_nesting_below_the_limit_is_accepted_and_long_flat_chains_never_recurse():
    assert parse_expression("(" * 45 + "1" + ")" * 45) == 1
    assert parse_expression("-" * 999 + "1") == -1
    assert parse_expression("--" * 499 + "x") == sympy.Symbol("x", integer=True)
    assert parse_expression("2^" * 2 + "2") == 16


def test_no_recursion_error_even_from_a_deep_caller_stack():
    def dive(levels):
        if levels:
            return dive(levels - 1)
        try:
            return parse_expression("(" * 45 + "1" + ")" * 45)
        except NotationError as error:
            return error
    result = dive(sys.getrecursionlimit() - 150)
    assert result == 1 or isinstance(result, NotationError)


def test_number_literals():
    assert parse_expression("9" * MAX_NUMBER_DIGITS) == int("9" * MAX_NUMBER_DIGITS)
    refused("9" * (MAX_NUMBER_DIGITS + 1), match="too many digits")
    refused("1" * 20 + "." + "1" * 20, match="too many digits")


@pytest.mark.parametrize("text", ["9**9**9**9", "9^9^9^9", "2^65", "x^65", "x^(-65)", "10^30^2", "(10^20)^64",
                                  "((2x)^64)^64", "2^(1/65)", "(" + "9" * 30 + ")^64"])
def test_huge_powers_are_refused_quickly(text):
    refused(text, seconds=0.2)


def test_powers_within_the_limits():
    x = sympy.Symbol("x", integer=True)
    assert parse_expression("2^64") == 2**64
    assert parse_expression("x^64") == x**64
    assert parse_expression("(2x)^64") == 2**64 * x**64
    assert parse_expression("4^(1/2)") == 2
    refused("2^(2^H)", match="power towers")
    refused("2^x^y", match="power towers")


def test_huge_products_of_literals_are_refused():
    refused("*".join(["9" * 30] * 40), match="too large")


def test_sum_term_limit():
    refused(f"sum_{{k=1}}^{{{MAX_SUM_TERMS + 1}}} k", match="terms")
    refused("Sum(k, (k, 0, 10000000))", match="terms")
    refused("sum_{k=1/2}^{3} k", match="not an integer")
    k = sympy.Symbol("k", integer=True)
    assert parse_expression(f"sum_{{k=1}}^{{{MAX_SUM_TERMS}}} k") == sympy.Sum(k, (k, 1, MAX_SUM_TERMS))


def test_functions_that_sympy_evaluates_slowly_are_bounded():
    refused("max(" + ",".join(f"a{i}" for i in range(MAX_FUNCTION_ARGS + 1)) + ")", match="arguments")
    start = time.perf_counter()
    parse_expression("(" + "+".join(f"a{i}" for i in range(60)) + ") % 7")   # a tree node; sympy never evaluates it
    assert time.perf_counter() - start < 0.5
    start = time.perf_counter()
    value = parse_expression("(" + "+".join(f"a{i}" for i in range(15)) + ") % (b + c)")
    assert isinstance(value, sympy.Mod) and time.perf_counter() - start < 0.5
    start = time.perf_counter()
    parse_expression("max(" + ",".join("(" + "+".join(f"a{j}" for j in range(20)) + ")" for _ in range(10)) + ")")
    assert time.perf_counter() - start < 0.5


def test_worst_case_accepted_inputs_stay_fast():
    chain = "0<" + "<".join(f"a{i}" for i in range(400))
    for text, parser in [(chain, parse_relation), ("+".join(f"a{i}" for i in range(400)), parse_expression),
                         ("*".join(f"(a{i}+1)" for i in range(150)), parse_expression)]:
        assert len(text) <= MAX_TEXT_LENGTH
        start = time.perf_counter()
        parser(text)
        assert time.perf_counter() - start < 2.0


def test_division_by_zero():
    for text in ["1/0", "0^-1", "x % 0", "x // 0", "\\frac{1}{0}"]:
        refused(text, match="division by zero")
    # The parser does no algebra: y - y is not folded to 0, the division is undefined where evaluated.
    with pytest.raises(DivisionByZero):
        evaluate_tree(read_expression("x/(y - y)"), env={"x": 1, "y": 2})


# ---- injection and junk -------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch pwned')",
    "__import__(\"os\").system(\"touch pwned\")",
    "exec('open(\"pwned\", \"w\")')",
    "eval('1')",
    "lambda: 0",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "open('pwned', 'w')",
    "\\input{/etc/passwd}",
    "\\\\\\\\",
    "\\def\\x{1}",
    "a\x00b",
    "a\x07b",
    "x\x1b[2J",
    "\x85x",
    "\udcff",
    "@x",
    "x; y",
    "`x`",
    "x'",
    "#x",
    "{{{{",
    "]]][[[",
    "",
    "   ",
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_without_side_effects(parser, text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused(text, parser, seconds=0.5)
    assert not (tmp_path / "pwned").exists()


def test_python_words_are_only_symbols():
    # no keyword of Python means anything here: 'import os' is the product of two symbols
    assert parse_expression("import os") == sympy.Symbol("import", integer=True) * sympy.Symbol("os", integer=True)


def test_binary_junk_and_control_characters():
    rng = random.Random(7)
    for _ in range(200):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))).decode("latin-1")
        for parser in PARSERS:
            try:
                parser(junk)
            except NotationError:
                pass


@pytest.mark.parametrize("value", [True, False, None, b"x", bytearray(b"x"), ["x"], {"x": 1}, object(),
                                   float("nan"), float("inf"), 10**40, sympy.Symbol("x")])
def test_non_text_input(value):
    with pytest.raises(NotationError):
        parse_expression(value)
    with pytest.raises(NotationError):
        parse_relation(value)
    with pytest.raises(NotationError):
        parse_equation(value)


def test_int_and_float_input_are_numbers():
    assert parse_expression(3) == 3
    assert parse_expression(-4) == -4
    assert parse_expression(2.5) == sympy.Rational(5, 2)
    assert parse_expression(0.1) == sympy.Rational(1, 10)
    assert parse_expression(1e-5) == sympy.Rational(1, 100000)


# ---- error messages ---------------------------------------------------------------------------

def test_error_message_is_one_line_with_position_excerpt_and_hint():
    error = refused("floor((H-K)/S) + foo(a, b)\n+ 1")
    assert error.position == 17
    assert error.text == "floor((H-K)/S) + foo(a, b)\n+ 1"
    assert "unknown function 'foo'" in error.message
    line = str(error)
    assert "\n" not in line
    assert "at char 17" in line and "foo(a, b)" in line and "accepted functions: floor" in line
    assert isinstance(error, ValueError)


def test_error_excerpt_hides_control_characters():
    line = str(refused("ab\x00cd"))
    assert "\x00" not in line and "ab?cd" in line


def test_unsupported_character_names_what_is_accepted():
    assert "accepted" in str(refused("x ! y"))
    assert "accepted LaTeX" in str(refused("\\foo{x}"))


# ---- fuzzing ---------------------------------------------------------------------------------

GRAMMAR_PIECES = list("abxHKPSdlfWjck0123456789+-*/^%()[]{},_=<>!|. \\$") + [
    "sum_{k=1}^{3}", "floor(", "ceil(", "max(", "\\frac{", "}{", "\\left(", "\\right)", "\\lfloor", "\\rfloor",
    " if ", " else ", " and ", " or ", "\u2202", "\u03a3", "\u03b4", "\u00d7", "\u2212", "\u230a", "\u230b",
    "x[", "dl/df[", "_{", "^{", "**", "//", "Sum(", ",(k,1,3))", "delta(", "\\partial ", "\\delta_{",
    "R^{", "\\mathrm{", "\\times", "9^9", "=", "\u2264"]


def _call_all(text):
    for parser in PARSERS:
        start = time.perf_counter()
        try:
            value = parser(text)
        except NotationError:
            value = None
        assert time.perf_counter() - start < 1.0, (parser.__name__, text)
        if parser is parse_expression and value is not None:
            to_text(value)
            to_latex(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(GRAMMAR_PIECES), max_size=40).map("".join))
def test_fuzz_grammar_pieces_only_raise_notation_error(text):
    _call_all(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_only_raises_notation_error(text):
    _call_all(text)


# ---- the source never evaluates text ---------------------------------------------------------

FORBIDDEN_CALLS = {"sympify", "parse_expr", "parse_latex", "S", "simplify", "expand", "doit", "nsimplify",
                   "lambdify"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}


def test_notation_sources_never_call_evaluating_functions():
    package = pathlib.Path(notation.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any("parsing" in name for name in modules), (path.name, modules)
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    assert func.attr not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {func.attr}"
                elif isinstance(func, ast.Name):
                    assert func.id not in FORBIDDEN_CALLS | FORBIDDEN_BUILTINS, f"{path.name}:{node.lineno} calls {func.id}"


# ---- speed of a typical answer ---------------------------------------------------------------

def test_typical_answer_parses_in_well_under_a_millisecond():
    text = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]"
    parse_equation(text)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        parse_equation(text)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 2e-3, f"{per_call * 1e3:.3f} ms per parse"

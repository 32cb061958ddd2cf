"""solver.plain_data: the file limits applied to data from the Python API (counts by hand)."""

from __future__ import annotations

import time

from solver.plain_data import data_problem, is_huge_int, plain_text
from test_yaml_loading import _nested_empty_lists as _nested


def test_value_count_boundaries():
    assert data_problem([7] * 99_999) is None                       # 1 + 99,999 = 100,000
    assert "100,000" in data_problem([7] * 100_000)[1]              # 100,001
    assert data_problem({n: n for n in range(49_999)}) is None      # 1 + 2 * 49,999 = 99,999
    assert data_problem({n: n for n in range(50_000)}) is not None  # 100,001
    assert data_problem([[1, 2]] * 33_333) is None                  # 1 + 3 * 33,333 = 100,000
    assert data_problem([[1, 2]] * 33_334) is not None              # 100,003


def test_a_huge_list_is_refused_without_walking_it():
    start = time.perf_counter()
    assert data_problem([7] * 10 ** 6) is not None
    assert time.perf_counter() - start < 0.05


def test_depth_boundary_and_where():
    assert data_problem(_nested(100)) is None
    where, what = data_problem({"a": [1, _nested(100)]})   # the mapping adds a level: 101
    assert where == "a[1]" + "[0]" * 98 and "100 levels" in what


def test_huge_integers_anywhere():
    assert data_problem({"a": [1, 10 ** 4300 - 1]}) is None          # 4,300 digits
    assert data_problem({"a": [1, 10 ** 4300]}) == (
        "a[1]", "an integer of more than 4,300 digits; integers of at most 4,300 digits are accepted")
    assert data_problem({10 ** 5000: 1})[0] == "<an integer of about 5,000 digits>"
    assert data_problem(({-10 ** 4300},)) is not None
    assert is_huge_int(-(10 ** 4300)) and not is_huge_int(True) and not is_huge_int(2.0 ** 1000)


def test_plain_text_never_raises():
    assert plain_text(10 ** 5000) == "<an integer of about 5,000 digits>"
    assert plain_text((1, 10 ** 5000)) == "<a tuple that cannot be shown>"
    assert plain_text(12) == "12" and plain_text("é") == "é"

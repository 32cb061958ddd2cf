"""Tests for solver.yaml_loading: safe YAML/JSON loading with limits.

Expected values are written by hand from the YAML text in each test.
"""

from __future__ import annotations

import datetime
import gc
import os
import pickle
import random
import threading
import time

import pytest

from solver import yaml_loading
from solver.yaml_loading import YamlLoadError, load_json_text, load_yaml_file, load_yaml_text


def _refused(text, **kwargs) -> YamlLoadError:
    with pytest.raises(YamlLoadError) as info:
        load_yaml_text(text, **kwargs)
    message = str(info.value)
    assert "\n" not in message, f"message is not one line: {message!r}"
    return info.value


def _billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * fan_out)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def _nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- good input -------------------------------------------------------------

def test_good_file_loads_plain_data(tmp_path):
    path = tmp_path / "q1.yaml"
    path.write_text(
        "# a problem spec\n"
        "id: q1\n"
        "layer:\n"
        "  op: conv2d\n"
        "  stride: 2\n"
        "  padding: [1, 1]\n"
        "scale: 0.5\n"
        "note: 'quoted: text'\n"
        "parts:\n"
        "  - a\n"
        "  - {b: null}\n",
        encoding="utf-8")
    assert load_yaml_file(path) == {
        "id": "q1",
        "layer": {"op": "conv2d", "stride": 2, "padding": [1, 1]},
        "scale": 0.5,
        "note": "quoted: text",
        "parts": ["a", {"b": None}],
    }
    assert load_yaml_file(str(path)) == load_yaml_file(path)


def test_yaml_1_1_quirks_stand():
    assert load_yaml_text("a: yes\nb: no\nc: on\nd: 'no'\ne: 2024-01-31\nf: 017\n") == {
        "a": True, "b": False, "c": True, "d": "no", "e": datetime.date(2024, 1, 31), "f": 15}


def test_bytes_with_utf8_bom_and_non_ascii_text():
    assert load_yaml_text("\ufeffname: café ∂f/∂x\n".encode("utf-8")) == {"name": "café ∂f/∂x"}


def test_merge_key_may_override_merged_keys():
    text = ("base: &base {stride: 1, padding: 0}\n"
            "conv:\n"
            "  <<: *base\n"
            "  stride: 2\n")
    assert load_yaml_text(text)["conv"] == {"stride": 2, "padding": 0}


def test_chained_merges_are_not_mistaken_for_duplicates():
    text = ("a: &a {x: 1}\n"
            "b: &b {<<: *a, y: 2}\n"
            "c: {<<: *b, x: 3, y: 4}\n")
    assert load_yaml_text(text) == {"a": {"x": 1}, "b": {"x": 1, "y": 2}, "c": {"x": 3, "y": 4}}


def test_empty_and_comment_only_input_give_none(tmp_path):
    assert load_yaml_text("") is None
    assert load_yaml_text(b"") is None
    assert load_yaml_text("# nothing here\n\n") is None
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert load_yaml_file(empty) is None


# --- JSON ---------------------------------------------------------------------

def test_json_file_loads_with_json_module(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{"q1": {"a": [1, 2.5, "x[1,j]"], "b": null, "c": true}}', encoding="utf-8")
    assert load_yaml_file(path) == {"q1": {"a": [1, 2.5, "x[1,j]"], "b": None, "c": True}}


def test_json_file_gets_json_error_messages(tmp_path):
    path = tmp_path / "bad.JSON"
    path.write_text('{"a": 1,\n "b": }', encoding="utf-8")
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(path)
    assert (info.value.line, info.value.column) == (2, 7)
    assert "Expecting value" in info.value.message
    assert info.value.path == str(path)
    # the same text read as YAML would be a YAML (not JSON) complaint
    yaml_path = tmp_path / "bad.yaml"
    yaml_path.write_text("a: 1\nb: 'x\n", encoding="utf-8")
    with pytest.raises(YamlLoadError) as yaml_info:
        load_yaml_file(yaml_path)
    assert "Expecting" not in yaml_info.value.message


def test_json_duplicate_key_depth_and_count_limits(monkeypatch):
    with pytest.raises(YamlLoadError, match="duplicate key 'a'"):
        load_json_text('{"a": 1, "b": {"a": 2}, "a": 3}')
    assert load_json_text(_nested_lists(100)) == _nested_empty_lists(100)
    with pytest.raises(YamlLoadError, match="deeper than 100") as info:
        load_json_text(_nested_lists(101))
    assert (info.value.line, info.value.column) == (1, 101)
    # brackets inside strings do not count
    assert load_json_text('["' + "[" * 500 + '"]') == ["[" * 500]
    with pytest.raises(YamlLoadError, match="deeper than 100"):
        load_json_text("[" * 200_000)
    monkeypatch.setattr(yaml_loading, "MAX_VALUES", 10)
    assert load_json_text("[1, 2, 3, 4, 5, 6, 7, 8, 9]") == list(range(1, 10))   # 1 + 9 = 10
    with pytest.raises(YamlLoadError, match="11 values"):
        load_json_text("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]")
    assert load_json_text('{"a": [1, 2], "b": {"c": 3}}')  # 1 + (1+3) + (1+1+2) = 9


def _nested_empty_lists(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# --- limits on expansion and nesting -----------------------------------------------

def test_billion_laughs_is_refused_quickly_without_expansion():
    text = _billion_laughs(9, 9)
    start = time.perf_counter()
    error = _refused(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert "100,000" in error.message and "aliases" in error.message
    # a6 is the first level past the limit: 1 + 9 + 81 + ... + 9**6 = 597,871 values
    assert error.line == 7
    assert "597,871" in error.message


def test_billion_laughs_through_merge_keys_is_refused():
    lines = ["m0: &m0 {k: lol}"]
    for level in range(1, 10):
        merged = ", ".join([f"*m{level - 1}"] * 9)
        lines.append(f"m{level}: &m{level} {{<<: [{merged}], k{level}: x}}")
    start = time.perf_counter()
    _refused("\n".join(lines))
    assert time.perf_counter() - start < 1.0


def test_aliases_count_their_full_size(monkeypatch):
    # a = [1,2,3] -> 4 values; b = [*a, *a] -> 1 + 4 + 4 = 9;
    # root = 1 + (key a: 1 + 4) + (key b: 1 + 9) = 16
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    monkeypatch.setattr(yaml_loading, "MAX_VALUES", 16)
    assert load_yaml_text(text) == {"a": [1, 2, 3], "b": [[1, 2, 3], [1, 2, 3]]}
    monkeypatch.setattr(yaml_loading, "MAX_VALUES", 15)
    error = _refused(text)
    assert "16 values" in error.message and (error.line, error.column) == (1, 1)


def test_plain_value_count_boundary(monkeypatch):
    monkeypatch.setattr(yaml_loading, "MAX_VALUES", 10)
    assert load_yaml_text("[1, 2, 3, 4, 5, 6, 7, 8, 9]") == list(range(1, 10))
    assert "11 values" in _refused("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]").message


def test_nesting_depth_limit():
    assert load_yaml_text(_nested_lists(100)) == _nested_empty_lists(100)
    error = _refused(_nested_lists(101))
    assert (error.line, error.column) == (1, 101)
    assert "deeper than 100" in error.message


def test_block_nesting_depth_limit():
    def block(depth):
        return "".join("  " * level + "k:\n" for level in range(depth)) + "  " * depth + "v\n"
    value = load_yaml_text(block(100))   # 100 nested mappings, the innermost holds "v"
    for _ in range(100):
        value = value["k"]
    assert value == "v"
    error = _refused(block(101))
    assert error.line == 101


def test_extremely_deep_nesting_is_refused_without_recursion_error():
    start = time.perf_counter()
    error = _refused("[" * 100_000)
    assert "deeper than 100" in error.message
    assert time.perf_counter() - start < 1.0


def test_depth_through_aliases_counts():
    # literal nesting is at most 60, but b holds *a (50 deep) inside 60 lists: 110 levels
    text = "a: &a " + _nested_lists(50) + "\nb: " + "[" * 60 + "*a" + "]" * 60 + "\n"
    error = _refused(text)
    # measured bottom-up: the list 51 levels out from *a is the first past 100 levels
    assert "101 levels" in error.message and (error.line, error.column) == (2, 13)


def test_recursive_alias_is_refused():
    error = _refused("a: &a [1, *a]\n")
    assert "recursive" in error.message and (error.line, error.column) == (1, 11)


# --- malformed input ---------------------------------------------------------

def test_duplicate_keys_name_the_key_and_lines():
    error = _refused("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert (error.line, error.column) == (4, 3)
    assert "duplicate key 'c'" in error.message and "line 3" in error.message
    top = _refused("stride: 1\npadding: 0\nstride: 2\n")
    assert top.line == 3 and "'stride'" in top.message and "line 1" in top.message
    # keys that are equal once read (YAML 1.1: yes == true)
    assert "duplicate key" in _refused("yes: 1\ntrue: 2\n").message
    # the same anchored key used twice through aliases
    assert "duplicate key 'x'" in _refused("a: &k x\nb: {*k : 1, *k : 2}\n").message


def test_tab_indentation_error_is_one_line_with_position():
    error = _refused("layer:\n\top: conv2d\n")
    assert (error.line, error.column) == (2, 1)
    assert "'\\t'" in error.message and "spaces" in error.message
    assert str(error).startswith("line 2, column 1: ")


def test_bad_indentation_and_unclosed_quote():
    error = _refused("a:\n  b: 1\n c: 2\n")
    assert (error.line, error.column) == (3, 2)
    unclosed = _refused("a: 'text\nb: 2\n")
    assert unclosed.line == 3 and "quoted scalar" in unclosed.message


def test_two_documents_are_refused():
    error = _refused("a: 1\n---\nb: 2\n")
    assert error.line == 2 and "single document" in error.message


def test_not_utf8_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: café\n".encode("latin-1"))   # é is the single byte 0xe9 at offset 9
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(path)
    assert "byte offset 9" in info.value.message and "0xe9" in info.value.message
    assert (info.value.line, info.value.column) == (1, 10)
    utf16 = _refused("a: 1\n".encode("utf-16"))
    assert "byte offset 0" in utf16.message and "UTF-8" in utf16.message


def test_binary_junk_is_refused():
    _refused(bytes(range(256)) * 4)
    assert "#x0000" in _refused(b"a: b\x00c\n").message   # valid UTF-8 but not printable
    rng = random.Random(1234)
    for _ in range(30):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        try:
            load_yaml_text(junk)
        except YamlLoadError as error:
            assert "\n" not in str(error)


@pytest.mark.parametrize("text", [
    "!!python/object/apply:os.system ['echo hacked']\n",
    "x: !!python/name:os.system\n",
    "x: !!python/object:collections.OrderedDict {}\n",
    "x: !custom 3\n",
])
def test_object_building_tags_are_refused(text):
    error = _refused(text)
    assert "is not allowed" in error.message and "plain data" in error.message
    assert error.line == 1


def test_value_not_fitting_its_type_is_located():
    error = _refused("a: 1\nb: !!int abc\n")
    assert (error.line, error.column) == (2, 4) and "!!int" in error.message


# --- files ------------------------------------------------------------------

def test_huge_file_is_refused_saying_its_size(tmp_path):
    path = tmp_path / "huge.yaml"
    size = 5 * 1024 * 1024 + 1
    path.write_bytes(b"#" * size)
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(path)
    assert "5,242,881 bytes" in info.value.message and "5 MB" in info.value.message
    json_path = tmp_path / "huge.json"
    os.link(path, json_path)
    with pytest.raises(YamlLoadError, match="5,242,881 bytes"):
        load_yaml_file(json_path)


def test_size_limit_boundary(monkeypatch):
    monkeypatch.setattr(yaml_loading, "MAX_BYTES", 20)
    assert load_yaml_text("a: " + "x" * 17) == {"a": "x" * 17}          # 20 bytes
    assert "21 bytes" in _refused("a: " + "x" * 18).message
    assert "21 bytes" in _refused(("a: " + "x" * 18).encode()).message
    assert "21 bytes" in _refused("a: " + "é" * 9).message              # 3 + 18 bytes, 12 characters


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(path)
    assert info.value.message == "cannot read: No such file or directory"
    assert info.value.line is None and info.value.path == str(path)


def test_directory_path(tmp_path):
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(tmp_path)
    assert info.value.message == "cannot read: Is a directory"


def test_error_is_a_value_error_and_pickles():
    error = _refused("a: 1\na: 2\n")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, copy.column, str(copy)) == (
        error.message, error.line, error.column, str(error))


# --- hostile input: bounded time and clear refusals (issue 9) ----------------------------

def _cpu_seconds(fn, *args, **kwargs):
    """``fn``'s result (or YamlLoadError) and the CPU seconds of its own work: the garbage of the
    tests before it is collected first and the collector paused, so a late full collection over
    the whole suite's objects is not counted."""
    gc.collect()
    gc.disable()
    start = time.process_time()
    try:
        return fn(*args, **kwargs), time.process_time() - start
    except YamlLoadError as error:
        return error, time.process_time() - start
    finally:
        gc.enable()


def test_libyaml_parser_is_used_when_pyyaml_has_it():
    import yaml
    assert yaml_loading._C_PARSER == bool(getattr(yaml, "__with_libyaml__", False))


def test_long_flat_list_is_refused_at_its_100001st_value():
    # 1 (root mapping) + 1 (key a) + 1 (the list) + 99,998 items = 100,001 values
    text = "a: [" + ", ".join(["1"] * 400_000) + "]\n"
    error, seconds = _cpu_seconds(load_yaml_text, text)
    assert isinstance(error, YamlLoadError) and "100,001 values" in error.message
    # "a: [" fills columns 1-4 and each item takes 3 ("1, "): item i starts at 5 + 3 * (i - 1)
    assert (error.line, error.column) == (1, 5 + 3 * 99_997)
    assert seconds < 3.0, f"took {seconds:.1f} s"


def test_largest_lists_and_strings_load_fast():
    items, seconds = _cpu_seconds(load_yaml_text, "a: [" + ", ".join(["7"] * 99_997) + "]\n")
    assert items == {"a": [7] * 99_997} and seconds < 2.0, f"took {seconds:.1f} s"
    text = "a: '" + "x" * (5 * 2**20 - 10) + "'\n"   # 5 MB - 4 bytes: just under the limit
    loaded, seconds = _cpu_seconds(load_yaml_text, text)
    assert loaded == {"a": "x" * (5 * 2**20 - 10)} and seconds < 1.0, f"took {seconds:.1f} s"


def test_huge_integers_in_any_base_are_refused_where_written():
    # int(text, 16) has no digit limit in Python, and str() of the result would raise later
    error = _refused("problem: q1.1\nanswers:\n  a: [2, 0x" + "f" * 5000 + "]\n")
    assert (error.line, error.column) == (3, 10) and "4,300 decimal digits" in error.message
    assert "4,300" in _refused("a: !!set {0x" + "f" * 5000 + "}\n").message
    assert "4,300" in _refused("? 0x" + "f" * 5000 + "\n: 1\n").message
    # 16**3000 - 1 has 3,613 decimal digits: accepted, and exactly that value
    assert load_yaml_text("a: 0x" + "f" * 3000 + "\n") == {"a": 16 ** 3000 - 1}
    error, seconds = _cpu_seconds(load_yaml_text, "a: 1" + ":0" * 2_000_000 + "\n")
    assert "4,300" in error.message and seconds < 2.0   # sexagesimal: refused before converting
    assert load_yaml_text("a: 1:30:00\n") == {"a": 5400}   # 1*3600 + 30*60 + 0


def test_json_integers_are_bounded_and_unclosed_strings_scan_linearly():
    assert "4,300" in pytest.raises(YamlLoadError, load_json_text, "[" + "9" * 4301 + "]").value.message
    assert load_json_text("[-" + "9" * 4300 + "]") == [-(10 ** 4300 - 1)]
    for count in (16_000, 1_000_000):
        error, seconds = _cpu_seconds(load_json_text, '["' + '\\"' * count)
        assert "Unterminated string" in error.message and seconds < 1.0, (count, seconds)
    error, seconds = _cpu_seconds(load_json_text, '{"a": "' + '\\"[' * 100_000)
    assert "Unterminated string" in error.message and seconds < 1.0


def test_lone_surrogate_in_text_is_refused_with_its_position():
    error = _refused("a: 1\nb: x\ud800\n")
    assert (error.line, error.column) == (2, 5) and "U+D800" in error.message


def test_caller_byte_limit_is_checked_before_parsing(tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_bytes(b"a: " + b"x" * 1000 + b"\n")   # 1,004 bytes
    assert load_yaml_file(path, max_bytes=1004) == {"a": "x" * 1000}
    with pytest.raises(YamlLoadError, match="1,005 bytes|1,004 bytes"):
        load_yaml_file(path, max_bytes=1000)
    assert "1,004 bytes" in _refused(b"a: " + b"x" * 1000 + b"\n", max_bytes=1000).message


def _open_for_writing_later(path, seconds: float) -> threading.Timer:
    """Unblock a reader stuck in open(path) after ``seconds``, so that a regression fails, not hangs."""
    def unblock():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass   # no reader waiting: nothing to unblock
    timer = threading.Timer(seconds, unblock)
    timer.start()
    return timer


def test_fifo_and_devices_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)   # nobody writes: a plain open() would wait forever
    timer = _open_for_writing_later(fifo, 5.0)
    start = time.monotonic()
    with pytest.raises(YamlLoadError) as info:
        load_yaml_file(fifo)
    elapsed = time.monotonic() - start
    timer.cancel()
    error = info.value
    assert elapsed < 2.0 and "not a regular file" in error.message
    assert error.path == str(fifo)
    assert "not a regular file" in pytest.raises(YamlLoadError, load_yaml_file, "/dev/zero").value.message

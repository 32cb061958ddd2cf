"""Safe loading of YAML (and JSON) text: spec files and student submissions.

Everything that reads a file a person wrote goes through :func:`load_yaml_file`
or :func:`load_yaml_text`. They return plain Python data (dict, list, str, int,
float, bool, None, and the few extra types safe YAML knows: dates, bytes from
``!!binary``, sets from ``!!set``) and refuse, with a :class:`YamlLoadError`:

* inputs larger than 5 MB (or the caller's smaller ``max_bytes``), checked before
  parsing, and bytes that are not UTF-8 (or text with lone surrogates);
* paths that are not regular files (FIFOs, devices, directories): they could
  block forever or never end;
* syntax errors (tabs, bad indentation, unclosed quotes...), with line and column;
* duplicate keys in one mapping (PyYAML alone silently keeps the last one);
  keys brought in by a ``<<`` merge may still be overridden, as YAML intends;
* tags that would build objects (``!!python/object`` and any other unknown tag);
* documents that expand to more than 100,000 values or nest deeper than 100
  levels. An alias counts the full size of what it refers to, so a
  "billion laughs" file is refused while it is read, without expanding it;
  values are counted as they are read, so a long list is refused at its
  100,001st value, not after it is built;
* integers of more than 4,300 decimal digits in any base (hex, octal and
  sexagesimal integers have no limit of their own in PyYAML, and Python
  cannot turn a larger integer into text).

libyaml's C parser is used where PyYAML has it (``yaml.CSafeLoader``): it turns
the text into events, and the project's composer (Python) builds the nodes
from them, so that every limit above is checked node by node. Without libyaml
the pure-Python parser does the same, more slowly.

YAML 1.1 quirks are left as they are, because PyYAML implements YAML 1.1:
unquoted ``yes``/``no``/``on``/``off`` are booleans, ``1_000`` is an int,
``0o17``/``017`` are octal, ``2024-01-31`` is a ``datetime.date``, ``1:30`` is
the sexagesimal int 90. Quote a value to keep it a string.

Anchored values that are aliased are shared, not copied, in the result: treat
the result as read-only.

``.json`` paths are read with the :mod:`json` module under the same size,
depth, value-count and integer limits, so that JSON files get JSON error
messages. Every check before parsing is one linear pass over the text.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import stat

import yaml
from yaml.composer import Composer, ComposerError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent

MAX_BYTES = 5 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 100
#: Longest integer accepted, in decimal digits (Python's own limit for int <-> text).
MAX_INT_DIGITS = 4300
_INT_BOUND = 10 ** MAX_INT_DIGITS

_MERGE_TAG = "tag:yaml.org,2002:merge"
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_PLAIN_DATA = "only plain data is accepted (mappings, lists, strings, numbers, booleans, null)"
_VALID_YAML = ("the file must be valid YAML: indent with spaces (never tabs), "
               "'key: value' pairs and '- item' lists, quotes closed")


class YamlLoadError(ValueError):
    """A YAML/JSON input that cannot be loaded.

    ``message`` says what is wrong and what is accepted; ``line`` and
    ``column`` (1-based) locate it when known; ``path`` is the file when one
    was loaded. ``str()`` is one line: ``line 3, column 5: <message>``.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 path: str | None = None):
        self.message, self.line, self.column, self.path = message, line, column, path
        super().__init__(self._format())

    def _format(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return f"line {self.line}: {self.message}"
        return f"line {self.line}, column {self.column}: {self.message}"

    def __reduce__(self):
        return (YamlLoadError, (self.message, self.line, self.column, self.path))

    def in_file(self, path: str) -> "YamlLoadError":
        """Return a copy that records ``path`` as the file it came from."""
        return YamlLoadError(self.message, self.line, self.column, path)


def _at(mark, message: str) -> YamlLoadError:
    """A YamlLoadError placed at a PyYAML ``Mark`` (0-based line/column)."""
    if mark is None:
        return YamlLoadError(message)
    return YamlLoadError(message, mark.line + 1, mark.column + 1)


def _shown_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object`` (as written in files)."""
    return "!!" + tag[len(_YAML_TAG_PREFIX):] if tag.startswith(_YAML_TAG_PREFIX) else tag


if getattr(yaml, "__with_libyaml__", False):
    class _SafeBase(Composer, yaml.CSafeLoader):
        """libyaml's C parser for the events, the Python composer (which we extend) for the nodes."""

        def __init__(self, stream):
            yaml.CSafeLoader.__init__(self, stream)
            Composer.__init__(self)
    _C_PARSER = True
else:  # PyYAML built without libyaml
    _SafeBase, _C_PARSER = yaml.SafeLoader, False


class _BoundedSafeLoader(_SafeBase):
    """SafeLoader that measures every composed node and refuses oversized or duplicate data.

    While composing, each node gets ``expanded_size`` (number of values it
    stands for once aliases are expanded: 1 + sizes of its items, keys and
    values) and ``depth`` (0 for a scalar, 1 + deepest child for a collection).
    Both are computed bottom-up from children, aliases reusing the size of the
    node they name, so the check costs one step per node written in the file.
    A running count of the nodes and aliases read so far (never more than the
    expanded size) refuses a long flat list before it is built.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._open_collections = 0
        self._nodes_read = 0

    def compose_node(self, parent, index):
        self._nodes_read += 1
        if self._nodes_read > MAX_VALUES:
            raise _at(self.peek_event().start_mark,
                      f"the document holds at least {self._nodes_read:,} values; at most "
                      f"{MAX_VALUES:,} values are accepted")
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if not hasattr(node, "expanded_size"):
                raise _at(event.start_mark,
                          f"alias *{event.anchor} refers to a value that contains it; "
                          "recursive structures are not accepted")
            return node
        is_collection = self.check_event(SequenceStartEvent, MappingStartEvent)
        if is_collection:
            if self._open_collections >= MAX_DEPTH:
                raise _at(self.peek_event().start_mark,
                          f"nesting is deeper than {MAX_DEPTH} levels; "
                          f"at most {MAX_DEPTH} nested lists/mappings are accepted")
            self._open_collections += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            if is_collection:
                self._open_collections -= 1
        _measure(node)
        return node

    def flatten_mapping(self, node):
        # flatten_mapping is the first step that rewrites node.value (merged pairs are
        # prepended), so the keys written in the file are checked here, once per node.
        if not getattr(node, "keys_checked", False):
            node.keys_checked = True
            self._refuse_duplicate_keys(node)
        super().flatten_mapping(node)

    def _refuse_duplicate_keys(self, node: MappingNode) -> None:
        first_seen = {}  # key -> (position in the mapping, key node)
        for position, (key_node, _) in enumerate(node.value):
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                earlier_position, earlier = first_seen.setdefault(key, (position, key_node))
            except TypeError:
                continue  # unhashable key: construct_mapping reports it
            if earlier_position != position:
                shown = key_node.value if isinstance(key_node, ScalarNode) else repr(key)
                same_as = ""
                if isinstance(earlier, ScalarNode) and earlier.value != shown:
                    same_as = f" (same key as {earlier.value!r})"
                raise _at(key_node.start_mark,
                          f"duplicate key {shown!r}{same_as}, first given at line "
                          f"{earlier.start_mark.line + 1}; each key may appear only once in a mapping")

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (YamlLoadError, yaml.YAMLError):
            raise
        except (ValueError, TypeError, OverflowError) as error:
            # e.g. "!!int abc" or the date "2024-13-45": the value does not fit its type.
            raise _at(node.start_mark,
                      f"value {getattr(node, 'value', '')!r} is not a valid {_shown_tag(node.tag)}: "
                      f"{error}; quote it to keep it a string") from None

    def refuse_unknown_tag(self, node):
        """Constructor for every tag safe YAML does not know (python/object and others)."""
        raise _at(node.start_mark, f"tag {_shown_tag(node.tag)!r} is not allowed; {_PLAIN_DATA}")

    def construct_bounded_int(self, node):
        """``!!int`` with at most MAX_INT_DIGITS digits; the text is measured before converting."""
        if len(node.value) > MAX_INT_DIGITS + 8:  # sign, base prefix and a few '_' or ':'
            raise _at(node.start_mark, _int_too_long(f"{len(node.value):,} characters long"))
        value = self.construct_yaml_int(node)
        if abs(value) >= _INT_BOUND:
            raise _at(node.start_mark, _int_too_long(f"more than {MAX_INT_DIGITS:,} digits long"))
        return value


_BoundedSafeLoader.add_constructor(None, _BoundedSafeLoader.refuse_unknown_tag)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:int", _BoundedSafeLoader.construct_bounded_int)


def _int_too_long(found: str) -> str:
    return (f"this integer is {found}; integers of at most {MAX_INT_DIGITS:,} decimal digits "
            "are accepted")


def _measure(node) -> None:
    """Set ``node.expanded_size`` and ``node.depth`` from its (already measured) children.

    expanded_size = 1 + sum of children's expanded_size (keys and values for a mapping)
    depth = 0 for a scalar, else 1 + max depth of the children
    """
    if isinstance(node, SequenceNode):
        children = node.value
    elif isinstance(node, MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = []
    node.expanded_size = 1 + sum(child.expanded_size for child in children)
    node.depth = 0 if isinstance(node, ScalarNode) else 1 + max(
        (child.depth for child in children), default=0)
    if node.expanded_size > MAX_VALUES:
        raise _at(node.start_mark,
                  f"this value expands to {node.expanded_size:,} values (aliases count the full "
                  f"size of what they refer to); at most {MAX_VALUES:,} values are accepted")
    if node.depth > MAX_DEPTH:
        raise _at(node.start_mark,
                  f"nesting through aliases is {node.depth} levels deep; "
                  f"at most {MAX_DEPTH} nested lists/mappings are accepted")


def _size_error(size: int, limit: int, exact: bool = True) -> YamlLoadError:
    found = f"{size / 2**20:.2f} MB ({size:,} bytes)" if exact else f"more than {limit:,} bytes"
    return YamlLoadError(f"the input is {found}; at most {limit / 2**20:g} MB "
                         f"({limit:,} bytes) is accepted")


def _decode(data: bytes) -> str:
    """UTF-8 bytes -> str without a leading byte-order mark; refuses other encodings."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise YamlLoadError(
            f"byte 0x{data[error.start]:02x} at byte offset {error.start} is not valid UTF-8 "
            f"({error.reason}); the file must be UTF-8 text", line, column) from None
    return text[1:] if text.startswith("\ufeff") else text


def _checked_text(text: str | bytes, max_bytes: int | None = None) -> str:
    """Apply the size limit (``max_bytes``, default MAX_BYTES) and decode: the text to parse.

    The result can always be encoded as UTF-8 (a str with lone surrogates is refused).
    """
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > limit:
            raise _size_error(len(data), limit)
        return _decode(data)
    if not isinstance(text, str):
        raise TypeError(f"expected str or bytes, got {type(text).__name__}")
    if len(text) > 4 * limit:  # at least this many bytes; do not encode a huge str to measure it
        raise _size_error(len(text), limit, exact=False)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        column = error.start - (text.rfind("\n", 0, error.start) + 1) + 1
        raise YamlLoadError(f"character U+{ord(text[error.start]):04X} is a lone surrogate, "
                            "not a character; the text must be valid Unicode", line, column) from None
    if size > limit:
        raise _size_error(size, limit)
    return text[1:] if text.startswith("\ufeff") else text


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _from_yaml_error(error: yaml.YAMLError, text: str) -> YamlLoadError:
    """Reformat a PyYAML error (several lines) as one YamlLoadError line."""
    if isinstance(error, yaml.reader.ReaderError):
        position = error.position
        if _C_PARSER:  # libyaml reports a byte offset into the UTF-8 text
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line, column = _line_column(text, position)
        return YamlLoadError(f"unacceptable character #x{error.character:04x} ({error.reason}); "
                             "the file must be printable text", line, column)
    if isinstance(error, yaml.MarkedYAMLError):
        problem = error.problem or "invalid YAML"
        context = error.context or ""
        if "maximum nesting depth" in problem:   # libyaml >= 0.2.6 refuses deep flow nesting itself
            line, column = error.problem_mark.line + 1, error.problem_mark.column + 1
            return YamlLoadError(f"nesting is deeper than {MAX_DEPTH} levels; at most {MAX_DEPTH} "
                                 f"nested lists/mappings are accepted", line, column)
        if _char_at(text, error.problem_mark) == "\t" and "'\\t'" not in problem:
            problem = f"{problem} (a tab, '\\t')"  # libyaml's message does not name the character
        if "'\\t'" in problem or "tab" in problem:
            accepted = "indent with spaces, never tabs"
        elif "Unicode character escape" in problem:
            accepted = "a \\u or \\U escape must name a character (lone surrogates such as \\ud800 are not)"
        elif "unhashable key" in problem:
            accepted = "mapping keys must be plain values (strings, numbers, booleans)"
        elif isinstance(error, ComposerError) and "single document" in context:
            accepted = "the file must hold one YAML document (at most one '---', at the top)"
        else:
            accepted = _VALID_YAML
        if context.startswith("while"):
            mark, where = error.context_mark, ""
            if mark is not None and error.problem_mark is not None and mark.line != error.problem_mark.line:
                where = f" started at line {mark.line + 1}, column {mark.column + 1}"
            problem = f"{problem} ({context}{where})"
        elif context:
            problem = f"{context}, {problem}"
        if error.note:
            problem = f"{problem}; {error.note}"
        problem = " ".join(problem.split())
        return _at(error.problem_mark or error.context_mark, f"{problem}; {accepted}")
    return YamlLoadError(f"{' '.join(str(error).split())}; {_VALID_YAML}")


def _char_at(text: str, mark) -> str:
    """The character at a PyYAML mark (0-based line and column), or '' when there is none."""
    if mark is None:
        return ""
    start = 0
    for _ in range(mark.line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    position = start + mark.column
    return text[position] if position < len(text) and "\n" not in text[start:position] else ""


def load_yaml_text(text: str | bytes, *, max_bytes: int | None = None) -> object:
    """Parse one YAML document from ``text`` (str, or UTF-8 bytes) into plain Python data.

    ``max_bytes`` (default MAX_BYTES) is checked before parsing. Returns None
    for an empty document (or one with only comments). Raises
    :class:`YamlLoadError` for anything refused (see the module docstring).
    """
    source = _checked_text(text, max_bytes)
    loader = None
    try:
        loader = _BoundedSafeLoader(source)  # the reader already refuses control characters
        return loader.get_single_data()
    except YamlLoadError:
        raise
    except yaml.YAMLError as error:
        raise _from_yaml_error(error, source) from None
    except RecursionError:  # defensive: depth is limited long before Python's stack
        raise YamlLoadError(f"nesting is too deep; at most {MAX_DEPTH} levels are accepted") from None
    finally:
        if loader is not None:
            loader.dispose()


# A string, closed or not (an unclosed one runs to the end, so no match is ever retried
# from a later quote: the scan is linear). Everything else is kept.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _refuse_deep_json(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before the json module recurses into it.

    Linear: strings are cut out with one regex pass, then the depth is a running sum.
    """
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    if max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) <= MAX_DEPTH:
        return
    depth, position = 0, 0
    while position < len(text):  # only for the error: find where the limit is passed
        string = _JSON_STRING.match(text, position) if text[position] == '"' else None
        if string:
            position = string.end()
            continue
        depth += _BRACKET_STEP.get(text[position], 0)
        if depth > MAX_DEPTH:
            line, column = _line_column(text, position)
            raise YamlLoadError(f"nesting is deeper than {MAX_DEPTH} levels; at most {MAX_DEPTH} "
                                "nested arrays/objects are accepted", line, column)
        position += 1
    raise AssertionError("unreachable: the running sum passed the limit")


def _json_object_without_duplicates(pairs: list) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise YamlLoadError(f"duplicate key {key!r} in one JSON object; "
                                "each key may appear only once in an object")
        result[key] = value
    return result


def _json_int(text: str) -> int:
    """An integer literal with at most MAX_INT_DIGITS digits (whatever Python's own setting)."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise YamlLoadError(_int_too_long(f"{len(text.lstrip('-')):,} digits long"))
    return int(text)


def _count_values(data: object) -> int:
    """Number of values in nested dicts/lists: 1 + items (keys and values for a dict)."""
    count, stack = 0, [data]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            count += len(item)  # the keys
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_json_text(text: str | bytes, *, max_bytes: int | None = None) -> object:
    """Parse JSON ``text`` with the json module under the same limits as YAML.

    Returns the decoded data. Raises :class:`YamlLoadError` with the json
    module's message and line/column for invalid JSON.
    """
    source = _checked_text(text, max_bytes)
    _refuse_deep_json(source)
    try:
        data = json.loads(source, object_pairs_hook=_json_object_without_duplicates,
                          parse_int=_json_int)
    except YamlLoadError:
        raise
    except json.JSONDecodeError as error:
        raise YamlLoadError(f"{error.msg}; the file must be valid JSON", error.lineno, error.colno) from None
    except ValueError as error:  # defensive: the json module refusing a number
        raise YamlLoadError(f"{str(error).split(';')[0]}; numbers must be of ordinary size") from None
    count = _count_values(data)
    if count > MAX_VALUES:
        raise YamlLoadError(f"the file holds {count:,} values; at most {MAX_VALUES:,} are accepted")
    return data


def _read_limited(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``; refuses other files and files over ``limit`` bytes.

    The file is opened without blocking, so a FIFO without a writer cannot hang
    the caller; anything but a regular file (FIFO, device, socket, directory)
    is refused, since reading it might never end.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise YamlLoadError(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise YamlLoadError("cannot read: Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise YamlLoadError("cannot read: not a regular file (a FIFO, device or socket); "
                                "give the path of a YAML or JSON file")
        if info.st_size > limit:
            raise _size_error(info.st_size, limit)
        chunks, size = [], 0
        while size <= limit:  # st_size is 0 for /proc files: read until EOF or past the limit
            chunk = os.read(descriptor, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise YamlLoadError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise _size_error(len(data), limit, exact=False)
    return data


def load_yaml_file(path: str | os.PathLike, *, max_bytes: int | None = None) -> object:
    """Load the YAML file at ``path`` (a ``.json`` suffix selects the json module).

    ``max_bytes`` (default MAX_BYTES) is checked before reading past it.
    Returns the data as :func:`load_yaml_text` does. Raises
    :class:`YamlLoadError` (with ``.path`` set) for unreadable files
    ("cannot read: No such file or directory"), files that are not regular
    files, and for everything refused.
    """
    name = os.fsdecode(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    try:
        data = _read_limited(name, limit)
        if name.lower().endswith(".json"):
            return load_json_text(data, max_bytes=limit)
        return load_yaml_text(data, max_bytes=limit)
    except YamlLoadError as error:
        raise error.in_file(name) from None

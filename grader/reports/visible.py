"""Text from outside (names, file names, echoed answers) made safe to show in a report.

Control characters (newlines, ESC, ...), line and paragraph separators and
bidirectional overrides could forge report lines or drive the terminal; lone
surrogates (from ``"\\ud800"`` in YAML, or a file name that is not UTF-8)
cannot be encoded at all. Each is shown as a Python-style escape instead:
``\\n``, ``\\x1b``, ``\\u202e``; a surrogate that stands for an undecodable
byte of a file name is shown as that byte, ``\\xff``.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str | None) -> str:
    """``text`` on one line with every unsafe character escaped (None -> '')."""
    return _UNSAFE.sub(_escape, text) if text else ""


def encodable(text: str) -> str:
    """``text`` with only lone surrogates escaped, so that it can be written as UTF-8."""
    return _SURROGATE.sub(_escape, text)

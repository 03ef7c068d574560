"""A small parser for Node's `util.inspect` object text (what `console.log(obj)` prints).

Not JSON: keys are bare identifiers or quoted; strings use ', " or ` with backslash escapes;
older runtimes split a long string as `'abc' +` newline `'def'`; values may be numbers,
true/false/null/undefined, nested objects and arrays, or placeholders such as `[Object]`.

A scanner cuts the text into items (one compiled pattern, one match per item): an optional
key with its value or opening bracket, a closing bracket, or a `+ 'continuation'`, each with
the comma after it. A small stack machine then checks the structure and builds the value.
Anything it does not understand raises `InspectError` with a short reason.

Most objects in the logs are printed one member per line (util.inspect breaks an object that
does not fit in 80 columns that way). `_parse_layout` reads exactly that layout line by line,
three times faster; at the first line that is not plainly `key: value,` (a quote or a
backslash inside a string, an array, a quoted key, anything odd) it gives up and the general
parser reads the text, so both give the same value and errors come from the general one.
"""

from __future__ import annotations

import re
from typing import Any


class InspectError(ValueError):
    """The text is not one complete util.inspect value (the message says why)."""


class _Undefined:
    """JavaScript's `undefined`, kept apart from null so that a round trip stays exact."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()

_STRING = (
    r"'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'"
    r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
    r"|`[^`\\]*+(?:\\.[^`\\]*+)*+`"
)
_PLACEHOLDER = (r"\[(?:Object|Array|Getter|Setter|Getter/Setter|(?:Async)?Function[^\]\n]*|class [^\]\n]*"
                r"|Circular \*\d+)\]")
_ITEM = re.compile(
    r"\s*+"
    r"(?:([A-Za-z_$][\w$]*+)\s*+:|(" + _STRING + r")\s*+:)?\s*+"  # 1 bare key, 2 quoted key
    r"(?:<ref \*\d+>\s++)?"  # a circular-reference marker before a value
    r"(?:(" + _STRING + r")"  # 3 string
    r"|(" + _PLACEHOLDER + r")"  # 4 [Object] and friends
    r"|(?:[A-Z][\w$]*+(?: \[[\w$]+\])? )?([{\[])"  # 5 opening bracket (an optional class name first)
    r"|(\.\.\. \d+ more items?)"  # 6 an array cut short
    r"|(-?[\w$.]++(?:(?<=\d[eE])[+-]\d++)?)"  # 7 number or literal
    r"|([}\]])"  # 8 closing bracket
    r"|\+\s*+(" + _STRING + r")"  # 9 a continued string: + 'more'
    r"|(\S))"  # 10 anything else
    r"\s*+(,?)",  # 11 the comma after the item
    re.DOTALL,
)
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": UNDEFINED,
                             "NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": ""}
_CLOSES = {"}": dict, "]": list}
_NUMBER_START = frozenset("-.0123456789")
_EXPECT_VALUE, _EXPECT_COMMA, _DONE = 0, 1, 2


def _unescape_one(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    if code[0] == "u" and len(code) > 1:
        value = int(code[2:-1] if code[1] == "{" else code[1:], 16)
        if value > 0x10FFFF:
            raise InspectError(f"bad escape \\{code}")
        return chr(value)
    if code[0] == "x" and len(code) == 3:
        return chr(int(code[1:], 16))
    return code  # \' \" \` \\ and any other character stand for themselves


def string_value(token: str) -> str:
    """The text of one quoted string token (quotes removed, escapes resolved)."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_unescape_one, body)


def _word(token: str) -> Any:
    """A bare word as a value: a literal or a number (JavaScript numbers are doubles)."""
    if token in _LITERALS:
        return _LITERALS[token]
    if token[0] in _NUMBER_START and "_" not in token:
        try:
            return float(token)
        except ValueError:
            pass
    if token.endswith("n") and token[:-1].lstrip("-").isdigit():  # a BigInt: 12n
        return int(token[:-1])
    raise InspectError(f"unexpected {token[:30]!r}")


_QUOTE_SET = frozenset("'\"`")


def _parse_layout(text: str, start: int) -> dict[str, Any] | None:
    """The object at `text[start:]` when it is printed one plain member per line, else None.

    Plain: `key: value` with an identifier key and a value that is a string without quotes
    of its kind or backslashes inside, a number, a literal, `{}`/`[]`, or `{` opening a child.
    """
    lines = text[start:].split("\n")
    if lines[0].strip() != "{":
        return None
    root: dict[str, Any] = {}
    cur: dict[str, Any] = root
    stack: list[dict[str, Any]] = []
    comma = True  # a member may follow: the object just opened or the last member ended with ','
    closed = False  # the root's closing brace was read
    holder: dict[str, Any] | None = None  # the object whose string value goes on with ' +'
    held_key = ""
    literals = _LITERALS
    for line in lines[1:]:
        item = line.strip()
        if not item:
            continue
        if closed:
            return None
        last = item[-1]
        if last == ",":
            body, comma_after, more = item[:-1], True, False
        elif last == "+" and item.endswith(" +"):
            body, comma_after, more = item[:-2], False, True
        else:
            body, comma_after, more = item, False, False
        if holder is not None:  # one piece of a split string
            quote = body[:1]
            if quote not in _QUOTE_SET or body[-1] != quote or body.count(quote) != 2 or "\\" in body:
                return None
            holder[held_key] += body[1:-1]
            if not more:
                holder = None
            comma = comma_after
            continue
        if body == "}":
            if more:
                return None
            if stack:
                cur = stack.pop()
                comma = comma_after
            elif comma_after:
                return None
            else:
                closed = True
            continue
        if not comma:
            return None
        key, sep, value = body.partition(": ")
        if not sep or not key.isidentifier() or not value:
            return None
        quote = value[0]
        if quote in _QUOTE_SET:
            if value[-1] != quote or value.count(quote) != 2 or "\\" in value:
                return None
            cur[key] = value[1:-1]
            if more:
                holder, held_key = cur, key
        elif more:
            return None
        elif value == "{":
            if comma_after:
                return None
            child: dict[str, Any] = {}
            cur[key] = child
            stack.append(cur)
            cur = child
            comma = True
            continue
        elif value in literals:
            cur[key] = literals[value]
        elif value == "{}":
            cur[key] = {}
        elif value == "[]":
            cur[key] = []
        elif quote in _NUMBER_START and "_" not in value and " " not in value:
            try:
                cur[key] = float(value)
            except ValueError:
                return None
        else:
            return None
        comma = comma_after
    return root if closed else None


def parse(text: str, start: int = 0) -> Any:
    """The value written at `text[start:]` (whitespace around it allowed, nothing else)."""
    fast = _parse_layout(text, start)
    if fast is not None:
        return fast
    items = _ITEM.findall(text, start)
    if not items:
        raise InspectError("no value")
    stack: list[tuple[Any, Any]] = []  # enclosing (container, key) pairs
    cur: Any = None  # the open container (None: the top level)
    root: Any = None
    state = _EXPECT_VALUE
    last: tuple[Any, Any] | None = None  # where the last string went, for '+' continuations
    total = len(items)
    for index, (bkey, qkey, s, ph, opener, more, word, closer, cut, bad, comma) in enumerate(items):
        try:
            if bad in _QUOTE_SET:  # a quote that opens no complete string: the text stops inside it
                raise InspectError("unterminated string")
            if bad or state == _DONE:
                raise InspectError(f"unexpected {(bad or 'text')!r} after the value" if state == _DONE
                                   else f"unexpected {bad!r}")
            if more:  # `... 3 more items`: nothing to keep
                if not isinstance(cur, list) or state != _EXPECT_VALUE:
                    raise InspectError("misplaced '... more items'")
                state = _EXPECT_VALUE if comma else _EXPECT_COMMA
                continue
            if cut:  # + 'more text'
                if last is None or state != _EXPECT_COMMA:
                    raise InspectError("'+' not after a string")
                holder, key = last
                holder[key] += string_value(cut)
                state = _EXPECT_VALUE if comma else _EXPECT_COMMA
                continue
            key: Any = bkey or (string_value(qkey) if qkey else None)
            if closer:
                if key is not None or type(cur) is not _CLOSES[closer] or (
                        state == _EXPECT_VALUE and len(cur) > 0):
                    raise InspectError(f"unexpected {closer!r}")
                value = cur
                cur, key = stack.pop() if stack else (None, None)
            else:
                if state != _EXPECT_VALUE:
                    raise InspectError(f"expected ',' before {(bkey or qkey or s or word or opener)[:30]!r}")
                if (key is None) == isinstance(cur, dict):
                    raise InspectError("expected a key" if key is None else f"unexpected key {key!r}")
                if opener:
                    if comma:
                        raise InspectError(f"unexpected ',' after {opener!r}")
                    stack.append((cur, key))
                    cur = {} if opener == "{" else []
                    last = None
                    continue
                value = string_value(s) if s else ph if ph else _word(word)
            if cur is None:
                root, state, last = value, _DONE, None
                if comma:
                    raise InspectError("unexpected ',' after the value")
                continue
            if isinstance(cur, dict):
                cur[key] = value
            else:
                key = len(cur)
                cur.append(value)
            last = (cur, key) if s else None
            state = _EXPECT_VALUE if comma else _EXPECT_COMMA
        except InspectError as exc:
            if index >= total - 1 and state != _DONE:  # failed on the last item: the text stops
                raise InspectError("unterminated object") from None
            raise exc from None
    if state != _DONE:
        raise InspectError("unterminated object")
    return root


def parse_object(text: str, start: int = 0) -> dict[str, Any]:
    """The object written at `text[start:]`; InspectError unless it is one complete object."""
    value = parse(text, start)
    if not isinstance(value, dict):
        raise InspectError("not an object")
    return value

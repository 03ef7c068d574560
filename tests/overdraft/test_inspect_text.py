"""The util.inspect parser: every form Node prints, errors with reasons, and a round trip."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.overdraft.inspect_text import UNDEFINED, InspectError, _parse_layout, parse, parse_object
from tests.overdraft.logkit import SEED_OBJECT, inspect

SEED = SEED_OBJECT


def test_the_contract_seed_example() -> None:
    tx = parse_object(SEED)["transaction"]
    assert tx["id"] == "01HPJ4BT09Y3GYQQZD1XFEGDHT"
    assert tx["paymentBalance"] == 16.4 and tx["amount"] == 8 and tx["vat"] == 0
    assert tx["updatePaymentBalance"] is True
    assert tx["metadata"] == '{"walletId":"wallet#df06...","deliveryId":"ef86...","walletSk":"ef86..."}'
    assert len(tx) == 13


def test_three_quote_kinds_and_escapes() -> None:
    text = r"""{ a: 'it\'s', b: "Customer's meal", c: `said "hi" it's`, d: 'tab\there\nline \\ \x41\u00e9' }"""
    assert parse(text) == {"a": "it's", "b": "Customer's meal", "c": 'said "hi" it\'s',
                           "d": "tab\there\nline \\ A\u00e9"}


def test_split_strings_of_older_runtimes() -> None:
    text = "{\n  metadata: '{\"walletId\":\"wallet#f82816d8-534c-418a-9f7b-bad5' +\n    'a513c91c\",\"plan\":\"Box\"}',\n  n: 1\n}"
    assert parse(text) == {"metadata": '{"walletId":"wallet#f82816d8-534c-418a-9f7b-bad5a513c91c","plan":"Box"}',
                           "n": 1}
    mixed = "{ note: 'Ring twice, \\\"Villa' +\n    \" 12's\" +\n    `\"x\"` }"
    assert parse(mixed) == {"note": "Ring twice, \"Villa 12's\"x\""}


def test_nested_objects_arrays_literals_and_placeholders() -> None:
    text = ("{\n  '$fault': 'client',\n  '$metadata': {\n    httpStatusCode: 400,\n    extendedRequestId: undefined,\n"
            "    cfId: null,\n    ok: false,\n    deep: [Object],\n    list: [ 1, -2.5, 'x', [Array], { y: 1e+21 } ]\n  }\n}")
    value = parse(text)
    meta = value["$metadata"]
    assert value["$fault"] == "client"
    assert meta["httpStatusCode"] == 400 and meta["extendedRequestId"] is UNDEFINED and meta["cfId"] is None
    assert meta["ok"] is False and meta["deep"] == "[Object]"
    assert meta["list"] == [1, -2.5, "x", "[Array]", {"y": 1e21}]


def test_special_numbers_and_cut_arrays() -> None:
    value = parse("{ a: NaN, b: -Infinity, c: 12n, d: [ 1, 2, ... 98 more items ], e: {}, f: [] }")
    assert math.isnan(value["a"]) and value["b"] == -math.inf and value["c"] == 12
    assert value["d"] == [1, 2] and value["e"] == {} and value["f"] == []


@pytest.mark.parametrize(("text", "reason"), [
    ("{\n  transaction: {\n    id: 'x',\n    paymentB", "unterminated object"),  # the sample's cut block
    ("{ a: 1,", "unterminated object"),
    ("{ a: 'x", "unterminated string"),
    ("{ a: 'x\n  b: 1 }", "unterminated string"),
    ("{ a: 1 } trailing", "after the value"),
    ("{ a 1 }", "expected a key"),
    ("{ a: 1 b: 2 }", "expected ','"),
    ("{ a: 1 + 'x' }", "'+' not after a string"),
    ("[ a: 1 ]", "unexpected key"),
    ("{ a: some words }", "unexpected"),
    ("", "no value"),
])
def test_what_it_cannot_read_raises_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InspectError, match=re.escape(reason)):
        parse(text)


def test_parse_object_refuses_a_non_object() -> None:
    with pytest.raises(InspectError, match="not an object"):
        parse_object("[ 1 ]")


def test_the_line_layout_path_and_the_general_parser_agree() -> None:
    # the same object: one member per line (fast path) and on one line (general parser only)
    assert _parse_layout(SEED, 0) is not None
    one_line = " ".join(line.strip() for line in SEED.splitlines())
    assert _parse_layout(one_line, 0) is None
    assert parse(one_line) == parse(SEED)
    # the fast path steps aside for an escaped quote; the general parser reads it
    odd = "{\n  a: 'it\\'s',\n  b: 1\n}"
    assert _parse_layout(odd, 0) is None and parse(odd) == {"a": "it's", "b": 1}


# -- round trip: any dict printed in util.inspect style parses back equal ----------------------
KEYS = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z_0-9]{0,8}", fullmatch=True), st.text(min_size=1, max_size=8))
SCALARS = st.one_of(
    st.none(), st.just(UNDEFINED), st.booleans(), st.text(max_size=60),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=4)),
                      max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8), st.sampled_from([0, 0, 7, 16]))
def test_any_dict_printed_like_util_inspect_parses_back_equal(obj: dict, split: int) -> None:
    assert parse(inspect(obj, split=split)) == obj

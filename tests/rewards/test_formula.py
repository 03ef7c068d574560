"""Formulas: every allowed operator computes what a person computes by hand; everything else is
refused when the rule loads, naming the bad part, without running anything."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics.errors import InputError
from analytics.rewards import formula
from analytics.rewards.rules import FORMULA_NAMES, NULLABLE_FIELDS, parse_rules
from tests.rewards.conftest import one, player, rule

FIELDS = {
    "net_loss": 3000.0,
    "net_pnl": -3000.0,
    "sessions": 10.0,
    "total_wagered": 6000.0,
    "avg_wager_per_session": 600.0,
    "win_loss_ratio": 0.5,
}


def value(text: str, cfg, **fields: float | None) -> float | None:
    """The compiled SQL of `text` evaluated by DuckDB on one row of `fields` (FIELDS by default)."""
    row = {**FIELDS, **fields}
    tree = formula.parse(text, FORMULA_NAMES, cfg.formula)
    con = duckdb.connect()
    try:
        cols = ", ".join(f"CAST(${k} AS DOUBLE) AS {k}" for k in row)
        con.execute(f"CREATE TABLE t AS SELECT {cols}", row)
        return con.execute(f"SELECT {formula.to_sql(tree)} FROM t").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("net_loss * 0.10", 300.0),  # 3,000 x 0.10
        ("net_loss + 5", 3005.0),
        ("net_loss - 5", 2995.0),
        ("net_loss / sessions", 300.0),  # 3,000 / 10
        ("-net_pnl", 3000.0),  # unary minus of -3,000
        ("+net_loss", 3000.0),  # unary plus changes nothing
        ("2 + 3 * 4", 14.0),  # * before +
        ("(2 + 3) * 4", 20.0),  # parentheses first
        ("10 - 4 - 3", 3.0),  # left to right
        ("100 / 4 / 5", 5.0),
        ("min(net_loss, 500)", 500.0),
        ("max(net_loss * 0.01, 50)", 50.0),  # 30 < 50
        ("min(7, 3, 5)", 3.0),  # more than two arguments
        ("max(1, 9, 4)", 9.0),
        ("abs(net_pnl) * 0.04 + 100", 220.0),  # 3,000 x 0.04 + 100
        ("round(2.5)", 3.0),  # half away from zero ...
        ("round(-2.5)", -3.0),  # ... on both sides (not to even)
        ("round(3.5)", 4.0),
        ("round(0.125, 2)", 0.13),
        ("round(1.005, 2)", 1.01),  # as written, like a spreadsheet
        ("round(-1.005, 2)", -1.01),
        ("round(2.675, 2)", 2.68),
        ("round(1.004999, 2)", 1.0),  # below the half stays down
        ("round(1234.5, -2)", 1200.0),  # negative digits round to hundreds
        ("round(1250, -2)", 1300.0),
        ("round(net_loss / 7, 2)", 428.57),  # 428.571428...
        ("round(min(net_loss * 0.05, abs(net_pnl) * 0.04 + 100), 2)", 150.0),  # min(150, 220)
    ],
)
def test_each_operator_computes_as_by_hand(text: str, expected: float, cfg) -> None:
    assert value(text, cfg) == pytest.approx(expected, abs=1e-12)


def test_session_count_is_an_alias_of_sessions(cfg) -> None:
    row = one(
        [player(total_wagered=2000, total_won=1000, sessions=4)],
        [rule(formula="session_count * 2 + sessions")],
        cfg,
    )
    assert row["amount"] == 12.0  # 4 x 2 + 4


def test_division_by_zero_makes_the_formula_undefined(cfg) -> None:
    tree = formula.parse("net_loss / (sessions - 10)", FORMULA_NAMES, cfg.formula)
    reasons = [r for _c, r in formula.undefined_checks(tree, NULLABLE_FIELDS)]
    assert reasons == ["division by zero"]
    # through the engine: sessions 10 -> divisor 0 -> declined with amount 0, nothing crashes
    row = one(
        [player(total_wagered=6000, total_won=3000, sessions=10)],
        [rule(formula="net_loss / (sessions - 10)")],
        cfg,
    )
    assert row["amount"] == 0.0 and not row["approved"]
    assert row["decline_code"] == "undefined" and row["undefined_why"] == "division by zero"
    # sessions 12 -> 3,000 / 2 = 1,500, capped at max_amount 1,000
    row = one(
        [player(total_wagered=6000, total_won=3000, sessions=12)],
        [rule(formula="net_loss / (sessions - 10)")],
        cfg,
    )
    assert row["amount"] == 1000.0 and pd.isna(row["undefined_why"])


def test_a_field_without_value_makes_the_formula_undefined(cfg) -> None:
    # nothing wagered: win_loss_ratio is null, so a formula reading it has no value
    row = one([player(total_wagered=0, total_won=0, sessions=2)], [rule(formula="win_loss_ratio * 100")], cfg)
    assert row["decline_code"] == "undefined"
    assert row["undefined_why"] == "win_loss_ratio has no value"
    # min() would skip a null in SQL; the rule is still undefined, never silently 5
    row = one(
        [player(total_wagered=0, total_won=0, sessions=2)], [rule(formula="min(win_loss_ratio, 5)")], cfg
    )
    assert row["decline_code"] == "undefined"


def test_an_overflowing_result_is_undefined(cfg) -> None:
    deep = cfg.model_copy(update={"formula": cfg.formula.model_copy(update={"max_depth": 60})})
    huge = " * ".join(["total_wagered"] + ["1000000000000"] * 30)  # 2,000 x 1e360 overflows a double
    row = one([player(total_wagered=2000, total_won=1000, sessions=3)], [rule(formula=huge)], deep)
    assert row["decline_code"] == "undefined" and row["undefined_why"] == "the result is not a finite number"
    assert row["amount"] == 0.0


HOSTILE = [
    ("__import__('os').system('touch {marker}')", "call of \"__import__('os').system\" is not allowed"),
    ("__import__('os')", "call to '__import__' is not allowed"),
    ("import os", "not a valid formula"),
    ("net_loss; __import__('os')", "not a valid formula"),
    ("net_loss.__class__", "attribute access is not allowed: 'net_loss.__class__'"),
    ("().__class__.__bases__[0].__subclasses__()", "call of '().__class__.__bases__[0].__subclasses__'"),
    ("net_loss.real", "attribute access"),
    ("(lambda: 1)()", "call of 'lambda: 1' is not allowed"),
    ("lambda x: x", "lambda is not allowed"),
    ("2 ** 100000", "'**' (power) is not allowed"),
    ("9 ** 9 ** 9 ** 9", "'**' (power) is not allowed"),
    ("pow(2, 10)", "call to 'pow' is not allowed"),
    ("eval('1')", "call to 'eval' is not allowed"),
    ("exec('x = 1')", "call to 'exec' is not allowed"),
    ("open('/etc/passwd')", "call to 'open' is not allowed"),
    ("globals()", "call to 'globals' is not allowed"),
    ("'abc'", "text 'abc' is not allowed (only numbers)"),
    ("b'abc'", "text b'abc' is not allowed"),
    ("'a' * 10", "text 'a' is not allowed"),
    ("f'{net_loss}'", "an f-string is not allowed"),
    ("net_loss if net_loss > 0 else 0", "if/else is not allowed"),
    ("net_loss > 0", "a comparison is not allowed"),
    ("net_loss and 1", "and/or is not allowed"),
    ("[1, 2][0]", "indexing is not allowed"),
    ("[net_loss]", "a list is not allowed"),
    ("{1: 2}", "a dict is not allowed"),
    ("(x := 5)", "':=' is not allowed"),
    ("[x for x in (1, 2)]", "a comprehension is not allowed"),
    ("unknown_field * 2", "unknown field 'unknown_field'"),
    ("__builtins__", "unknown field '__builtins__'"),
    ("min", "min must be called"),
    ("max(net_loss)", "max needs at least two arguments"),
    ("abs(1, 2)", "abs takes one argument"),
    ("round(net_loss, sessions)", "round's digits must be a whole number"),
    ("round(net_loss, 2.5)", "round's digits must be a whole number"),
    ("round(net_loss, 99)", "round's digits must be a whole number"),
    ("min(net_loss, key=abs)", "only plain arguments are allowed"),
    ("min(*[1, 2])", "only plain arguments are allowed"),
    ("True + 1", "bool True is not allowed"),
    ("None", "NoneType None is not allowed"),
    ("1j", "complex 1j is not allowed"),
    ("net_loss // 2", "'//' is not allowed"),
    ("net_loss % 2", "'%' is not allowed"),
    ("~1", "only unary minus is allowed"),
    ("not net_loss", "only unary minus is allowed"),
    ("1e999", "larger than"),
    ("10000000000000", "larger than"),
    ("1" * 5000, "longer than"),
    ("abs(" * 30 + "1" + ")" * 30, "nested more than 20 levels"),
    ("+".join(["1"] * 80), "parts, more than"),
    ("", "the formula is empty"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_formulas_are_refused_naming_the_rule_and_the_part(
    text: str, message: str, cfg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    text = text.replace("{marker}", str(marker))
    real_compile = builtins.compile
    compiled_flags: list[int] = []

    def forbidden(*_args, **_kwargs):
        raise AssertionError("a formula was run")

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        compiled_flags.append(flags)
        assert flags & ast.PyCF_ONLY_AST, "compile() may only build a syntax tree"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", only_ast)
    with pytest.raises(InputError) as err:
        parse_rules([rule("BAD_ONE", formula=text)], cfg.formula, "rules.json")
    assert str(err.value).startswith("rules.json: rule BAD_ONE: formula"), str(err.value)
    assert message in str(err.value), str(err.value)
    assert not marker.exists()


def test_limits_come_from_the_settings(cfg) -> None:
    tight = cfg.formula.model_copy(update={"max_nodes": 5})
    with pytest.raises(formula.FormulaError, match="parts, more than 5"):
        formula.parse("1 + 2 + 3 + 4", FORMULA_NAMES, tight)
    assert formula.parse("1 + 2", FORMULA_NAMES, tight) == formula.Bin(
        "+", formula.Num(1.0), formula.Num(2.0)
    )


def test_compiled_sql_quotes_fields_and_writes_numbers_as_literals(cfg) -> None:
    tree = formula.parse("round(min(net_loss * 0.05, 7), 2)", FORMULA_NAMES, cfg.formula)
    sql = formula.to_sql(tree)
    assert '"net_loss"' in sql and "CAST(0.05 AS DOUBLE)" in sql and "least(" in sql
    assert formula.fields_used(tree) == {"net_loss"}

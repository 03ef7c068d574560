"""Reward formulas: parsed into a tree of allowed operations, compiled to a DuckDB SQL expression.

A formula is arithmetic only: numbers, known field names, + - * / (unary minus), parentheses and
min, max, abs, round. Python's `ast` module reads the text (it parses, it never runs anything);
the tree is walked and anything outside that list is refused, naming the bad part. The result
is a small tree of our own (`Node`) that compiles to SQL (field names as quoted identifiers from
the allowed set, numbers as literals), so a rule is evaluated for all players at once.

Choices: a division by zero, or a field without a value (win_loss_ratio when nothing was
wagered, a blank optional column) makes the formula undefined for that player (`undefined_sql`
names why); `round(x, n)` rounds half away from zero on the decimal value as written, as a
spreadsheet does (round(1.005, 2) = 1.01), `n` being a whole number written in the formula.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Collection
from dataclasses import dataclass

from analytics.errors import InputError
from analytics.loaders import quote_ident
from analytics.rewards.settings import FormulaLimits

FUNCTIONS = ("min", "max", "abs", "round")
ROUND_DIGITS = range(-10, 11)
# round() multiplies by this before DuckDB's half-away-from-zero round, so a binary value just
# under a written tie (1.005 is stored as 1.00499999999999989...) rounds as the decimal it was.
ROUND_NUDGE = 1.0000000000001
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_REFUSED_OPS = {
    ast.Pow: "'**' (power)",
    ast.FloorDiv: "'//'",
    ast.Mod: "'%'",
    ast.MatMult: "'@'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitOr: "'|'",
    ast.BitAnd: "'&'",
    ast.BitXor: "'^'",
}


class FormulaError(InputError):
    """A formula that is not allowed; the message names the bad part."""


@dataclass(frozen=True)
class Num:
    """A number written in the formula."""

    value: float


@dataclass(frozen=True)
class Field:
    """A player field (export column or derived state)."""

    name: str


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Bin:
    """A binary operation: + - * /."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """min, max, abs or round; `digits` is round's second argument."""

    func: str
    args: tuple[Node, ...]
    digits: int = 0


Node = Num | Field | Neg | Bin | Call


def parse(text: str, fields: Collection[str], limits: FormulaLimits) -> Node:
    """The checked tree of `text`; FormulaError naming the first bad part otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula is empty")
    if len(text) > limits.max_length:
        raise FormulaError(f"the formula is longer than {limits.max_length} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")  # builds a syntax tree; nothing is executed
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise FormulaError(f"not a valid formula: {exc.msg}{where}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"not a valid formula: {type(exc).__name__}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > limits.max_nodes:
        raise FormulaError(f"the formula has {count} parts, more than {limits.max_nodes}")
    return _Walker(text.strip(), set(fields), limits).node(tree.body, 1)


class _Walker:
    """Turns an `ast` expression into a `Node`, refusing anything not allowed."""

    def __init__(self, text: str, fields: set[str], limits: FormulaLimits) -> None:
        self.text, self.fields, self.limits = text, fields, limits

    def part(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or type(node).__name__
        return segment if len(segment) <= 60 else segment[:57] + "..."

    def node(self, node: ast.AST, depth: int) -> Node:
        if depth > self.limits.max_depth:
            raise FormulaError(f"the formula is nested more than {self.limits.max_depth} levels deep")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Neg(self.node(node.operand, depth + 1))
            if isinstance(node.op, ast.UAdd):
                return self.node(node.operand, depth + 1)
            raise FormulaError(f"{self.part(node)!r}: only unary minus is allowed")
        if isinstance(node, ast.BinOp):
            op = _OPS.get(type(node.op))
            if op is None:
                what = _REFUSED_OPS.get(type(node.op), type(node.op).__name__)
                raise FormulaError(f"{what} is not allowed: {self.part(node)!r} (only + - * /)")
            return Bin(op, self.node(node.left, depth + 1), self.node(node.right, depth + 1))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise FormulaError(f"{_describe(node)} is not allowed: {self.part(node)!r}")

    def number(self, node: ast.Constant) -> Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "text" if isinstance(value, str | bytes) else type(value).__name__
            raise FormulaError(f"{kind} {self.part(node)} is not allowed (only numbers)")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number) or abs(number) > self.limits.max_number:
            raise FormulaError(f"the number {self.part(node)} is larger than {self.limits.max_number:g}")
        return Num(number)

    def name(self, node: ast.Name) -> Field:
        if node.id in self.fields:
            return Field(node.id)
        if node.id in FUNCTIONS:
            raise FormulaError(f"{node.id} must be called with arguments, e.g. {node.id}(a, b)")
        raise FormulaError(f"unknown field {node.id!r}")

    def call(self, node: ast.Call, depth: int) -> Call:
        func = node.func
        if not isinstance(func, ast.Name):
            raise FormulaError(f"call of {self.part(func)!r} is not allowed (only {', '.join(FUNCTIONS)})")
        if func.id not in FUNCTIONS:
            raise FormulaError(f"call to {func.id!r} is not allowed (only {', '.join(FUNCTIONS)})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"{self.part(node)!r}: only plain arguments are allowed")
        n = len(node.args)
        if func.id in ("min", "max") and n < 2:
            raise FormulaError(f"{func.id} needs at least two arguments: {self.part(node)!r}")
        if func.id == "abs" and n != 1:
            raise FormulaError(f"abs takes one argument: {self.part(node)!r}")
        if func.id == "round":
            if n not in (1, 2):
                raise FormulaError(f"round takes one or two arguments: {self.part(node)!r}")
            digits = self.digits(node.args[1]) if n == 2 else 0
            return Call("round", (self.node(node.args[0], depth + 1),), digits)
        return Call(func.id, tuple(self.node(a, depth + 1) for a in node.args))

    def digits(self, node: ast.AST) -> int:
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, node = -1, node.operand
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, bool) or not isinstance(value, int) or sign * value not in ROUND_DIGITS:
            raise FormulaError(
                f"round's digits must be a whole number from {ROUND_DIGITS[0]} to {ROUND_DIGITS[-1]}, "
                f"got {self.part(node)!r}"
            )
        return sign * value


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Lambda: "lambda",
        ast.Subscript: "indexing",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "':='",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator",
        ast.DictComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.Await: "await",
        ast.Yield: "yield",
        ast.Starred: "'*'",
        ast.Slice: "a slice",
    }
    return names.get(type(node), type(node).__name__)


# -- compiling ------------------------------------------------------------------------------
def _num_sql(value: float) -> str:
    return f"CAST({value!r} AS DOUBLE)"


def to_sql(node: Node) -> str:
    """The DuckDB expression of a checked tree (DOUBLE arithmetic)."""
    if isinstance(node, Num):
        return _num_sql(node.value)
    if isinstance(node, Field):
        return f"CAST({quote_ident(node.name)} AS DOUBLE)"
    if isinstance(node, Neg):
        return f"(-{to_sql(node.operand)})"
    if isinstance(node, Bin):
        return f"({to_sql(node.left)} {node.op} {to_sql(node.right)})"
    if node.func == "round":
        return f"round({to_sql(node.args[0])} * {_num_sql(ROUND_NUDGE)}, {node.digits})"
    name = {"min": "least", "max": "greatest", "abs": "abs"}[node.func]
    return f"{name}({', '.join(to_sql(a) for a in node.args)})"


def walk(node: Node) -> list[Node]:
    """Every node of the tree, children before their parent."""
    out: list[Node] = []
    if isinstance(node, Neg):
        out += walk(node.operand)
    elif isinstance(node, Bin):
        out += walk(node.left) + walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            out += walk(arg)
    out.append(node)
    return out


def fields_used(node: Node) -> set[str]:
    """The field names a formula reads."""
    return {n.name for n in walk(node) if isinstance(n, Field)}


def undefined_checks(node: Node, nullable: Collection[str]) -> list[tuple[str, str]]:
    """(SQL condition, reason) pairs that make the formula undefined for a player, inner first."""
    checks: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n in walk(node):
        if isinstance(n, Field) and n.name in nullable and n.name not in seen:
            seen.add(n.name)
            checks.append((f"{quote_ident(n.name)} IS NULL", f"{n.name} has no value"))
        elif isinstance(n, Bin) and n.op == "/":
            checks.append((f"{to_sql(n.right)} = 0", "division by zero"))
    return checks


def undefined_sql(node: Node, nullable: Collection[str]) -> str:
    """SQL giving why the formula is undefined for a player (NULL when it is defined)."""
    checks = undefined_checks(node, nullable)
    if not checks:
        return "CAST(NULL AS VARCHAR)"
    whens = " ".join(f"WHEN {cond} THEN '{reason}'" for cond, reason in checks)
    return f"CASE {whens} END"

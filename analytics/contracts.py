"""The columns of every input contract (../shared/contracts/), in one place.

Each contract names its store table and its columns with a type, whether the column is
required, and the values a row must respect. The loaders check files against these; the
Home page uses them to recognise which contract a dropped file matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical types and how each is stored.
SQL_TYPES = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "decimal": "DECIMAL(18, 4)",
    "double": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """One contract column: its name, logical type and rules."""

    name: str
    type: str = "string"
    required: bool = False
    min_value: float | None = None
    allowed: tuple[str, ...] | None = None  # values allowed (compared lower-cased)

    def __post_init__(self) -> None:
        if self.type not in SQL_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type}")


@dataclass(frozen=True)
class Contract:
    """A file format the product reads: its table and columns."""

    name: str
    table: str
    title: str
    columns: tuple[Column, ...]
    doc: str
    extra_columns: dict[str, str] = field(default_factory=dict)  # table-only columns

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        """Names of all contract columns, in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _c(name: str, type_: str = "string", required: bool = False, **kw: object) -> Column:
    return Column(name, type_, required, **kw)  # type: ignore[arg-type]


CASHOUT_EVENTS = Contract(
    name="cashout_events",
    table="cashout_events",
    title="Cashout audit events",
    doc="cashout_events.md",
    columns=(
        _c("event_time", "timestamp", True),
        _c("user_id", "string", True),
        _c("username", "string", True),
        _c("event_type", "string", True),
        _c("amount", "decimal", True),
        _c("won", "bool"),
        _c("counterparty_id"),
        _c("device_id"),
        _c("cashout_id"),
    ),
)

GAME_EVENTS = Contract(
    name="game_events",
    table="game_events",
    title="Game events",
    doc="game_events.md",
    columns=(
        _c("distinct_id", "string", True),
        _c("event_time", "timestamp", True),
        _c("event_name", "string", True),
        _c("platform", "string", True, allowed=("ios", "android", "web")),
        _c("install_time", "timestamp", True),
        _c("chapter", "int"),
        _c("credits_balance", "int"),
        _c("metapoints_balance", "int"),
        _c("quantity", "int"),
        _c("price_usd", "decimal"),
        _c("payment_platform", "string", allowed=("apple", "googleplay", "stash")),
        _c("transaction_id"),
        _c("google_order_number"),
        _c("checkout_id"),
    ),
)

PLAYERS = Contract(
    name="players",
    table="players",
    title="Player export",
    doc="players.md",
    columns=(
        _c("player_id", "string", True),
        _c("total_deposited", "decimal", True, min_value=0),
        _c("total_wagered", "decimal", True, min_value=0),
        _c("total_won", "decimal", True, min_value=0),
        _c("sessions", "int", True, min_value=0),
        _c("playtime_hours", "double", True, min_value=0),
        _c("total_withdrawn", "decimal", min_value=0),
        _c("bonus_received", "decimal", min_value=0),
        _c("registered_at", "timestamp"),
        _c("last_active_at", "timestamp"),
        _c("tier"),
    ),
)

PLAYER_TRANSACTIONS = Contract(
    name="player_transactions",
    table="player_transactions",
    title="Player transaction ledger",
    doc="players.md",
    columns=(
        _c("player_id", "string", True),
        _c("time", "timestamp", True),
        _c("type", "string", True, allowed=("deposit", "wager", "win", "withdrawal", "bonus")),
        _c("amount", "decimal", True),
        _c("game_type"),
        _c("device_id"),
        _c("ip"),
    ),
)

CONTRACTS: dict[str, Contract] = {
    c.name: c for c in (CASHOUT_EVENTS, GAME_EVENTS, PLAYERS, PLAYER_TRANSACTIONS)
}

# The share of a contract's required columns a header must hold to be taken for that contract:
# above it, a missing required column is an error rather than an ad-hoc table.
CLAIM_SHARE = 0.6


def normalise(name: str) -> str:
    """A header cell as compared with contract names: trimmed, lower-cased, BOM removed."""
    return name.replace("\ufeff", "").strip().lower()


def get(name: str) -> Contract:
    """The contract called `name`; InputError listing the known ones otherwise."""
    try:
        return CONTRACTS[name]
    except KeyError:
        from analytics.errors import InputError

        known = ", ".join(sorted(CONTRACTS))
        raise InputError(f"unknown contract {name!r}; known contracts: {known}") from None


def detect(header: list[str]) -> tuple[Contract | None, list[str]]:
    """The contract a header claims and its missing required columns; (None, []) for ad hoc.

    A header claims the contract whose required columns it holds in the largest share, when
    that share is at least CLAIM_SHARE; ties go to the contract with more required columns.
    """
    cols = {normalise(h) for h in header}
    best: tuple[float, int, Contract] | None = None
    for contract in CONTRACTS.values():
        req = contract.required
        share = sum(1 for r in req if r in cols) / len(req)
        key = (share, len(req), contract)
        if share >= CLAIM_SHARE and (best is None or key[:2] > best[:2]):
            best = key
    if best is None:
        return None, []
    contract = best[2]
    return contract, [r for r in contract.required if r not in cols]

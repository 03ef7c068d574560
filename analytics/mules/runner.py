"""One simulation run: every drop's life, the ordinary clients, details, then the two tables.

Rows are sorted by (timestamp, account number, order of generation), ids are given in that
order, and every random draw comes from a stream keyed by the seed, so the same settings and
seed always give the same tables.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.mules import codes
from analytics.mules.accounts import Accounts
from analytics.mules.behaviour import Behaviour
from analytics.mules.configuration import DropsConfig
from analytics.mules.details import Details, formatted
from analytics.mules.legit import LegitClients
from analytics.mules.rng import DROP as DROP_STREAM
from analytics.mules.rng import Stream
from analytics.mules.rows import Rows
from analytics.mules.simulator import DropSimulator

Progress = Callable[[float, str], None]
PROGRESS_EVERY = 200  # drops between two progress reports


@dataclass
class SimulationResult:
    """The run's tables (contract columns) and what tests and the store need besides."""

    run_id: str
    config: DropsConfig
    transactions: pa.Table
    accounts: pa.Table
    balance: np.ndarray  # a drop's balance after each transaction in cents; -1 on ordinary clients' rows
    drops: int
    legit_clients: int


def run_id_for(cfg: DropsConfig) -> str:
    """The run's id: the seed and a hash of every setting (same settings and seed, same id)."""
    text = json.dumps(cfg.effective(), sort_keys=True, separators=(",", ":"))
    return f"s{cfg.seed}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


class Runner:
    """Runs the simulation for one configuration."""

    def __init__(self, cfg: DropsConfig, progress: Progress | None = None) -> None:
        self.cfg = cfg
        self.progress = progress or (lambda _f, _t: None)

    def run(self) -> SimulationResult:
        """Simulate every client and build the tables."""
        cfg = self.cfg
        n_dist, n_purch = cfg.distributor.count, cfg.purchaser.count
        accounts = Accounts(cfg.seed, n_dist, n_purch, cfg.legit_clients, cfg.legit.receiver_share)
        window = (cfg.start_ts, cfg.end_ts)
        rows = Rows()
        stream = Stream(cfg.seed, DROP_STREAM)  # one stream, consumed drop after drop in index order
        blocked = np.full(accounts.drops, -1, np.int64)
        for kind, first, count in (("distributor", 0, n_dist), ("purchaser", n_dist, n_purch)):
            settings = cfg.kind(kind)
            behaviour = Behaviour(kind, settings)
            for client in range(first, first + count):
                when = DropSimulator(client, settings, behaviour, accounts, rows, stream, window).run()
                if when is not None:
                    blocked[client] = when
                if client % PROGRESS_EVERY == 0:
                    self.progress(0.6 * client / max(accounts.drops, 1), f"Simulated {client:,} drops")
        self.progress(0.6, "Simulating ordinary clients")
        legit = LegitClients(cfg.legit, cfg.seed, accounts.drops, cfg.legit_clients, window).generate()
        self.progress(0.8, "Building the tables")
        transactions, balance = _transactions(cfg.seed, accounts, rows, legit)
        self.progress(1.0, f"{transactions.num_rows:,} transactions")
        return SimulationResult(
            run_id_for(cfg),
            cfg,
            transactions,
            _accounts(accounts, blocked),
            balance,
            accounts.drops,
            cfg.legit_clients,
        )


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """Integer cents as DECIMAL(18, 2) without passing through floats."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.stack([cents, cents >> 63], axis=1).tobytes()
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


def _coded(values: np.ndarray, vocabulary: tuple[str, ...]) -> pa.Array:
    """Codes as their strings (NONE: null)."""
    return pc.take(pa.array(vocabulary), pa.array(values, mask=values == codes.NONE))


def _transactions(seed: int, accounts: Accounts, rows: Rows, legit) -> tuple[pa.Table, np.ndarray]:
    """The transactions table in the contract's columns, and each row's drop balance."""
    drop = rows.arrays()
    n_legit = len(legit.ts)
    empty = np.full(n_legit, codes.NONE, np.int64)
    col = {
        name: np.concatenate([drop[name], getattr(legit, name, empty)])
        for name in (
            "ts",
            "client",
            "cp",
            "cents",
            "direction",
            "txn_type",
            "status",
            "scenario",
            "period",
            "rule",
            "balance",
        )
    }
    numbers = accounts.numbers
    order = np.lexsort((np.arange(len(col["ts"])), numbers[col["client"]], col["ts"]))
    col = {k: v[order] for k, v in col.items()}
    client, cp = col["client"], col["cp"]
    is_drop = client < accounts.drops
    distributor = client < accounts.distributors
    in_bank = (cp >= 0) & (cp < codes.EXTERNAL)
    external = cp >= codes.EXTERNAL
    account_text = formatted("A", numbers, 7)  # per client, looked up by client index
    counterparty = pc.if_else(
        pa.array(in_bank),
        pc.take(account_text, pa.array(np.where(in_bank, cp, 0))),
        formatted("X", np.where(external, cp - codes.EXTERNAL, 0), 8, external),
    )
    n = len(client)
    table = {
        "txn_id": formatted("T", np.arange(1, n + 1), 9),
        "timestamp": pa.array(col["ts"].astype("datetime64[s]")),
        "account_id": pc.take(account_text, pa.array(client)),
        "counterparty": counterparty,
        "amount": _decimal_cents(col["cents"]),
        "direction": _coded(col["direction"], codes.DIRECTIONS),
        "txn_type": _coded(col["txn_type"], codes.TXN_TYPES),
        "status": _coded(col["status"], codes.STATUSES),
    }
    details = Details(seed, accounts.total, accounts.drops, numbers).columns(client, col["txn_type"])
    table.update({k: details[k] for k in ("merchant_id", "lat", "lon", "ip", "city", "device_id", "channel")})
    fraud_code = np.where(is_drop, np.where(distributor, 0, 1), codes.NONE)
    table.update(
        {
            "is_fraud": pa.array(is_drop.astype(np.int8)),
            "fraud_type": _coded(fraud_code, ("drop_distributor", "drop_purchaser")),
            "scenario": _coded(col["scenario"], codes.SCENARIOS),
            "period": pa.array(col["period"].astype(np.int32), mask=col["period"] == codes.NONE),
            "rule": _coded(col["rule"], codes.RULES),
        }
    )
    balance = np.where(is_drop, col["balance"], -1)
    return pa.table({name: table[name] for name in codes.TRANSACTION_COLUMNS}), balance


def _accounts(accounts: Accounts, blocked: np.ndarray) -> pa.Table:
    """The accounts table, sorted by account id."""
    numbers = accounts.numbers
    order = np.argsort(numbers, kind="stable")
    client = np.arange(accounts.total)[order]
    is_drop = client < accounts.drops
    kind = np.where(is_drop, np.where(client < accounts.distributors, 0, 1), codes.NONE)
    when = np.full(accounts.total, -1, np.int64)
    when[: accounts.drops] = blocked
    when = when[order]
    return pa.table(
        {
            "account_id": formatted("A", numbers[client], 7),
            "client_id": formatted("C", numbers[client], 7),
            "is_drop": pa.array(is_drop.astype(np.int8)),
            "drop_type": _coded(kind, codes.KINDS),
            "blocked_at": pa.array(when.astype("datetime64[s]"), mask=when < 0),
        }
    )

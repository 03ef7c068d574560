"""A small hand-made scenario of five subscribers whose figures are worked out by hand.

u1: 03-01 10:00 in sync 50; 03-02 10:00 OUT 30 (debit 20); 03-04 10:00 OUT -5 (debit 35)
    -> overdraft 03-04 10:00, first out of sync 03-02 10:00: lead time 48 h
u2: 03-01 12:00 in sync 10; 03-03 12:00 in sync -2 -> overdraft while in sync: lead time none
u3: 02-01 credit 100; 02-03 debit 40 -> 60; 03-03 09:00 debit 5 -> 55; 03-05 09:00 OUT debit 35 -> 20
    -> at risk: debits in the 30 days up to 03-05 09:00 are 5 + 35 = 40 (02-03 is outside),
       average 40 / 30 a day, days to overdraft 20 / (40 / 30) = 15.0
u4: 03-02 08:00 OUT 30 (debit 5); 03-03 08:00 in sync 25 -> out of sync once, never overdrawn
u5: 03-05 11:00 OUT -3 -> the first overdraft row is the first out-of-sync one: lead time 0
One more request times out (an error that is not a sync error). File a.log holds u1-u3, b.log the rest.
"""

from __future__ import annotations

from pathlib import Path

from tests.overdraft import logkit as k

U = {n: f"{n}000000-0000-4000-8000-00000000000{n}" for n in range(1, 6)}
ROWS = [  # (file, tx id, user, time, type, amount, payment balance, out of sync)
    ("a", "T11", 1, "2024-03-01T10:00:00.000Z", "DEBIT", 5, 50, False),
    ("a", "T12", 1, "2024-03-02T10:00:00.000Z", "DEBIT", 20, 30, True),
    ("a", "T13", 1, "2024-03-04T10:00:00.000Z", "DEBIT", 35, -5, True),
    ("a", "T21", 2, "2024-03-01T12:00:00.000Z", "DEBIT", 5, 10, False),
    ("a", "T22", 2, "2024-03-03T12:00:00.000Z", "DEBIT", 12, -2, False),
    ("a", "T31", 3, "2024-02-01T09:00:00.000Z", "CREDIT", 100, 100, False),
    ("a", "T32", 3, "2024-02-03T09:00:00.000Z", "DEBIT", 40, 60, False),
    ("a", "T33", 3, "2024-03-03T09:00:00.000Z", "DEBIT", 5, 55, False),
    ("a", "T34", 3, "2024-03-05T09:00:00.000Z", "DEBIT", 35, 20, True),
    ("b", "T41", 4, "2024-03-02T08:00:00.000Z", "DEBIT", 5, 30, True),
    ("b", "T42", 4, "2024-03-03T08:00:00.000Z", "DEBIT", 5, 25, False),
    ("b", "T51", 5, "2024-03-05T11:00:00.000Z", "DEBIT", 8, -3, True),
]
TIMEOUT_AT = "2024-03-03T15:00:00.000Z"


def texts() -> dict[str, str]:
    """The two files' text: one request per transaction (5 records, 6 with a sync error)."""
    out = {"a": "", "b": ""}
    for file, tx_id, user, ts, kind, amount, payment, drifted in ROWS:
        tx = k.transaction(tx_id, U[user], payment, amount=amount, kind=kind)
        out[file] += k.one_request(ts, f"req-{tx_id}", tx, out_of_sync=drifted)
    out["b"] += (k.start(TIMEOUT_AT, "req-timeout") + k.processing(TIMEOUT_AT, "req-timeout", "m-t")
                 + k.app(TIMEOUT_AT, "req-timeout", "ERROR", "Task timed out after 6.01 seconds")
                 + k.end(TIMEOUT_AT, "req-timeout"))
    return out


def write(folder: Path) -> list[Path]:
    """Write a.log and b.log into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts().items():
        path = folder / f"{name}.log"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths

"""Hand-made balance-sync Lambda logs for the tests: records written the way Node and Lambda do
(objects with arrays and nesting, and strings split at any width, unlike the sample generator)."""

from __future__ import annotations

import json
import re
from typing import Any

from analytics.overdraft.inspect_text import UNDEFINED
from analytics.samples.lambda_logs import _js_number as js_number  # Node's quoting and numbers,
from analytics.samples.lambda_logs import _js_string as js_string  # as the sample generator writes them

IDENT = re.compile(r"\A[A-Za-z_][A-Za-z_0-9]*\Z")


def inspect(value: Any, indent: int = 0, split: int = 0) -> str:
    """util.inspect text of value; `split` > 0 cuts longer strings into 'a' + 'b' pieces of that size."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        entries = [f"{k if IDENT.match(k) else js_string(k)}: {inspect(v, indent + 2, split)}"
                   for k, v in value.items()]
        return _wrap("{", "}", entries, indent)
    if isinstance(value, list):
        if not value:
            return "[]"
        return _wrap("[", "]", [inspect(v, indent + 2, split) for v in value], indent)
    if isinstance(value, str):
        if split and len(value) > split:
            pieces = [value[i:i + split] for i in range(0, len(value), split)]
            return f" +\n{' ' * (indent + 2)}".join(js_string(p) for p in pieces)
        return js_string(value)
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return js_number(value)


def _wrap(open_: str, close: str, entries: list[str], indent: int) -> str:
    width = indent + sum(len(e) + 2 for e in entries) + 4
    if width <= 72 and not any("\n" in e for e in entries):
        return f"{open_} " + ", ".join(entries) + f" {close}"
    pad = "\n" + " " * indent
    return open_ + pad + "  " + ("," + pad + "  ").join(entries) + pad + close


# The contract's seed transaction object, as the Lambda printed it.
SEED_OBJECT = """{
  transaction: {
    id: '01HPJ4BT09Y3GYQQZD1XFEGDHT',
    type: 'DEBIT',
    source: 'MANUAL_DEDUCTION',
    action: 'DELIVERY_DEDUCTION',
    userId: 'df06a87e-a8bd-4aa4-b6f0-c16c1be9bb02',
    paymentBalance: 16.4,
    updatePaymentBalance: true,
    metadata: '{"walletId":"wallet#df06...","deliveryId":"ef86...","walletSk":"ef86..."}',
    currency: 'BHD',
    amount: 8,
    vat: 0,
    oldBalance: 24.4,
    newBalance: 16.4
  }
}"""


# -- records -----------------------------------------------------------------------------------
def platform(ts: str, text: str) -> str:
    """A platform record line."""
    return f"{ts} {text}\n"


def start(ts: str, req: str) -> str:
    return platform(ts, f"START RequestId: {req} Version: $LATEST")


def end(ts: str, req: str) -> str:
    return platform(ts, f"END RequestId: {req}") + platform(
        ts, f"REPORT RequestId: {req}\tDuration: 10.00 ms\tBilled Duration: 11 ms\tMemory Size: 256 MB")


def app(ts: str, req: str, level: str, message: str) -> str:
    """An application record (message lines after the first continue it)."""
    return f"{ts} {ts}\t{req}\t{level}\t{message}\n"


def processing(ts: str, req: str, message_id: str) -> str:
    return app(ts, req, "INFO", f"Processing message {message_id}")


def transaction(tx_id: str, user: str, payment: float, amount: float = 5, kind: str = "DEBIT",
                **extra: Any) -> dict[str, Any]:
    """A transaction object as the Lambda logs it (new balance = payment balance)."""
    old = payment + amount if kind == "DEBIT" else payment - amount
    return {"id": tx_id, "type": kind, "source": "MANUAL_DEDUCTION", "action": "DELIVERY_DEDUCTION",
            "userId": user, "paymentBalance": payment, "updatePaymentBalance": True,
            "metadata": json.dumps({"walletId": f"wallet#{user}"}), "currency": "BHD", "amount": amount,
            "vat": 0, "oldBalance": old, "newBalance": payment, **extra}


def tx_record(ts: str, req: str, tx: dict[str, Any], split: int = 0) -> str:
    return app(ts, req, "INFO", "Start syncing the balance " + inspect({"transaction": tx}, split=split))


def sync_error(ts: str, req: str, user: str, tx_id: str, wording: str = "Subscription balance and payment "
               "balance are not in sync") -> str:
    body = inspect({"userId": user, "transactionId": tx_id, "subscriptionBalance": 4, "paymentBalance": -1.8})
    return app(ts, req, "ERROR", f"{wording} {body}")


def json_record(ts: str, req: str, level: str, message: str, **fields: Any) -> str:
    return json.dumps({"timestamp": ts, "level": level, "requestId": req, "message": message, **fields}) + "\n"


def one_request(ts: str, req: str, tx: dict[str, Any], out_of_sync: bool = False) -> str:
    """START, one transaction (with its sync error when out of sync), END and REPORT."""
    text = start(ts, req) + tx_record(ts, req, tx)
    if out_of_sync:
        text += sync_error(ts, req, tx["userId"], tx["id"])
    return text + app(ts, req, "INFO", "SubscriptionBalanceUpdated event published") + end(ts, req)

"""The vocabularies of the transactions table, coded as small integers while simulating."""

from __future__ import annotations

from analytics.mules.configuration import DISTRIBUTOR_SCENARIOS, PURCHASER_SCENARIOS

TXN_TYPES = (
    "transfer_in",
    "transfer_out",
    "atm_withdrawal",
    "crypto_purchase",
    "online_purchase",
    "card_payment",
    "salary_in",
    "bill_payment",
)
TRANSFER_IN, TRANSFER_OUT, ATM, CRYPTO, ONLINE, CARD, SALARY, BILL = range(len(TXN_TYPES))
INBOUND_TYPES = (TRANSFER_IN, SALARY)  # every other type moves money out
DIRECTIONS = ("in", "out")
IN, OUT = 0, 1
STATUSES = ("approved", "declined")
APPROVED, DECLINED = 0, 1
SCENARIOS = DISTRIBUTOR_SCENARIOS + PURCHASER_SCENARIOS
SPLIT_TRANSFERS, SINGLE_TRANSFER, FULL_WITHDRAWAL, PARTIAL_WITHDRAWAL, SINGLE_PURCHASE, SPLIT_PURCHASES = (
    range(len(SCENARIOS))
)
RULES = ("total_in", "total_out", "blocked", "funds")
RULE_TOTAL_IN, RULE_TOTAL_OUT, RULE_BLOCKED, RULE_FUNDS = range(len(RULES))
CHANNELS = ("bank", "mobile_app", "web", "pos", "atm")
BANK, APP, WEB, POS, ATM_CHANNEL = range(len(CHANNELS))
NONE = -1  # no value (an empty cell)

KINDS = ("distributor", "purchaser")
FRAUD_TYPES = {"distributor": "drop_distributor", "purchaser": "drop_purchaser"}
ALLOWED_TYPES = {
    "distributor": frozenset({"transfer_in", "transfer_out", "atm_withdrawal", "crypto_purchase"}),
    "purchaser": frozenset({"transfer_in", "online_purchase"}),
}

# Counterparties are coded as integers: a client index (an account of this bank), or an
# external account number offset by EXTERNAL; NONE when the transaction has none.
EXTERNAL = 1_000_000_000
VICTIMS = EXTERNAL + 10_000_000  # senders of stolen money: 10,000,000..99,999,999
CASHOUT = EXTERNAL + 1_000_000  # drops' outside recipients (a shared pool)
PAYEES = EXTERNAL + 2_000_000  # ordinary clients' family and payees (four per client)
SAVINGS = EXTERNAL + 6_000_000  # ordinary clients' own accounts at other banks
EMPLOYERS = EXTERNAL + 8_000_000

TRANSACTION_COLUMNS = (
    "txn_id",
    "timestamp",
    "account_id",
    "counterparty",
    "amount",
    "direction",
    "txn_type",
    "status",
    "merchant_id",
    "lat",
    "lon",
    "ip",
    "city",
    "device_id",
    "channel",
    "is_fraud",
    "fraud_type",
    "scenario",
    "period",
    "rule",
)
ACCOUNT_COLUMNS = ("account_id", "client_id", "is_drop", "drop_type", "blocked_at")

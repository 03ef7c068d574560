"""Tests of the balance-sync Lambda log sample: determinism, file shapes and archetypes.

The logs are read back here with small regexes (not the project's parser) and the
archetypes are recomputed by the definitions of contracts/lambda_logs.md.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from analytics.samples.lambda_logs import generate

TS = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
APP = re.compile(rf"^({TS}) ({TS})\t([0-9a-f-]{{36}})\t(INFO|ERROR|WARN)\t(.*)$")
PLATFORM = re.compile(rf"^({TS}) (INIT_START|START|END|REPORT) (.*)$")
REQUEST_ID = re.compile(r"RequestId: ([0-9a-f-]{36})")
SYNC = re.compile(r"not in sync|out of sync", re.IGNORECASE)
NUMBER_KEYS = ("paymentBalance", "amount", "vat", "oldBalance", "newBalance")
CURRENCIES = {"BHD", "SAR", "AED", "KWD", "QAR"}
MISSING = "<missing>"
START_SYNC = "Start syncing the balance"


@dataclass
class Record:
    """One log record read back: where it is, its level and its whole message."""

    file: str
    line: int
    ts: datetime
    level: str
    request_id: str
    text: str
    json: dict | None = None
    segment: tuple = ()
    txn: dict | None = None


@dataclass
class Logs:
    """Everything the tests look at."""

    paths: list[Path]
    raw: dict[str, bytes]
    text: dict[str, str]
    records: list[Record] = field(default_factory=list)


def _decode(path: Path) -> str:
    """The text of a file, gunzipped when it ends in .gz, line endings kept."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def _when(stamp: str) -> datetime:
    """A record timestamp as a datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _read_records(name: str, text: str) -> list[Record]:
    """Split a file into records; lines that start no record continue the one above."""
    records: list[Record] = []
    request, segment = "", 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n")[:-1], start=1):
        if line.startswith("{"):
            obj = json.loads(line)
            record = Record(name, number, _when(obj["timestamp"]), obj["level"],
                            obj["requestId"], obj["message"], obj)
        elif match := APP.match(line):
            record = Record(name, number, _when(match[1]), match[4], match[3], match[5])
        elif match := PLATFORM.match(line):
            found = REQUEST_ID.search(line)
            record = Record(name, number, _when(match[1]), match[2], found[1] if found else "",
                            line)
        else:
            assert records and line[:1] in (" ", "}"), f"{name}:{number}: {line[:60]!r}"
            records[-1].text += "\n" + line
            continue
        if record.level == "START":
            request, segment = record.request_id, 0
        elif record.text.startswith("Processing message "):
            segment += 1
        record.segment = (name, request, segment)
        records.append(record)
    return records


def _value(raw: str) -> object:
    """A util.inspect scalar as Python (quoted strings, numbers, null/undefined)."""
    if raw in ("null", "undefined"):
        return None
    if raw in ("true", "false"):
        return raw == "true"
    if raw[0] in "'\"`":
        return raw[1:-1]
    return float(raw)


def _transaction(record: Record) -> dict | None:
    """The transaction a record carries, or None (also for an unterminated object)."""
    if record.json is not None and "transaction" in record.json:
        return dict(record.json["transaction"])
    if not record.text.startswith(START_SYNC + " {"):
        return None
    if record.text.count("{") != record.text.count("}"):
        return None
    txn: dict[str, object] = {"currency": MISSING}
    for key, raw in re.findall(r"^    (\w+): (.+?),?$", record.text, re.MULTILINE):
        if key != "metadata":
            txn[key] = _value(raw)
    return txn


def _sync_user(record: Record) -> tuple[str, str]:
    """userId and transactionId of a sync error record."""
    if record.json is not None and "userId" in record.json:
        return record.json["userId"], record.json["transactionId"]
    user = re.search(r"userId: '([0-9a-f-]+)'", record.text)
    txn = re.search(r"transactionId: '(\w+)'", record.text)
    assert user and txn, record.text
    return user[1], txn[1]


def _load(out_dir: Path) -> Logs:
    """Generate into out_dir and read everything back."""
    paths = generate(out_dir)
    logs = Logs(paths, {p.name: p.read_bytes() for p in paths}, {p.name: _decode(p) for p in paths})
    for name, text in logs.text.items():
        logs.records.extend(_read_records(name, text))
    for record in logs.records:
        record.txn = _transaction(record)
    return logs


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Logs:
    """The sample, generated once for the module."""
    return _load(tmp_path_factory.mktemp("lambda"))


@pytest.fixture(scope="module")
def txns(logs: Logs) -> list[Record]:
    """Records that carry a transaction, with in_sync by the contract's segment rule."""
    sync_segments = {r.segment for r in logs.records if r.level == "ERROR" and SYNC.search(r.text)}
    rows = [r for r in logs.records if r.txn is not None]
    for row in rows:
        row.txn["in_sync"] = row.segment not in sync_segments
    return sorted(rows, key=lambda r: r.ts)


def _by_user(txns: list[Record]) -> dict[str, list[dict]]:
    """Transactions per user in time order, each with its timestamp."""
    users: dict[str, list[dict]] = defaultdict(list)
    for row in txns:
        users[row.txn["userId"]].append({**row.txn, "ts": row.ts})
    return users


def _lead_hours(rows: list[dict]) -> float | None:
    """Contract lead time: first overdraft minus first out-of-sync row at or before it."""
    overdraft = next(r for r in rows if r["paymentBalance"] < 0)
    drifted = [r for r in rows if not r["in_sync"] and r["ts"] <= overdraft["ts"]]
    if not drifted:
        return None
    return (overdraft["ts"] - drifted[0]["ts"]).total_seconds() / 3600


# --- files -----------------------------------------------------------------------------------

def test_two_runs_are_byte_identical(logs: Logs, tmp_path: Path) -> None:
    again = generate(tmp_path)
    assert [p.name for p in again] == [p.name for p in logs.paths]
    for path in again:
        assert path.read_bytes() == logs.raw[path.name], path.name


def test_files_sorted_under_lambda_logs_and_sized(logs: Logs) -> None:
    assert logs.paths == sorted(logs.paths)
    assert all(p.parent.name == "lambda_logs" and p.is_file() for p in logs.paths)
    assert 4 <= len(logs.paths) <= 8
    assert 1_000_000 <= sum(len(b) for b in logs.raw.values()) <= 3_000_000
    assert not list(logs.paths[0].parent.glob("*.tmp"))


def test_gzip_file_decompresses_with_fixed_header(logs: Logs) -> None:
    gz = [name for name in logs.raw if name.endswith(".log.gz")]
    assert len(gz) == 1
    data = logs.raw[gz[0]]
    assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\0\0\0\0"  # magic, mtime 0
    assert re.match(TS, gzip.decompress(data).decode("utf-8"))


def test_exactly_one_crlf_file(logs: Logs) -> None:
    crlf = [name for name, text in logs.text.items() if "\r" in text]
    assert len(crlf) == 1
    text = logs.text[crlf[0]]
    assert text.count("\r\n") == text.count("\n") > 1000


def test_records_are_in_time_order_within_each_file(logs: Logs) -> None:
    for name in logs.text:
        stamps = [r.ts for r in logs.records if r.file == name]
        assert stamps == sorted(stamps), name


def test_older_runtime_splits_long_strings(logs: Logs) -> None:
    split = re.compile(r"' \+\n {6}'")
    files = [name for name, text in logs.text.items() if split.search(text)]
    assert len(files) == 1
    assert "INIT_START Runtime Version: nodejs:16" in logs.text[files[0]]
    assert len(split.findall(logs.text[files[0]])) > 500


def test_json_lines_parse_in_both_variants(logs: Logs) -> None:
    lines = [line for text in logs.text.values() for line in text.splitlines()
             if line.startswith("{")]
    objects = [json.loads(line) for line in lines]
    assert len(objects) > 200
    assert all({"timestamp", "level", "requestId", "message"} <= obj.keys() for obj in objects)
    as_field = [o for o in objects if "transaction" in o]
    as_text = [o for o in objects if o["message"].startswith(START_SYNC + " {\n")]
    assert as_field and as_text
    assert any("transactionId" in o for o in objects)
    assert any(o["level"] == "ERROR" and "transactionId: '" in o["message"] for o in objects)
    assert len({name for name, text in logs.text.items() if "\n{" in text}) == 2


# --- util.inspect ----------------------------------------------------------------------------

def test_numbers_are_printed_like_node(logs: Logs) -> None:
    text = "\n".join(logs.text.values())
    assert not re.search(r"(?:Balance|amount|vat): -?\d+\.0[,\n]", text)
    assert not re.search(r"(?:Balance|amount|vat)\"?: ?-?\d+\.\d{4,}", text)
    assert re.search(r"paymentBalance: -\d+\.\d+", text)
    assert re.search(r"amount: \d+,", text) and re.search(r"amount: \d+\.\d{1,2},", text)


def test_string_quote_styles_and_literals(logs: Logs) -> None:
    text = "\n".join(logs.text.values())
    assert re.search(r"^    metadata: `\{.*'.*\}`,$", text, re.MULTILINE)  # holds ' and "
    assert re.search(r"^    reason: \"[^\"]*'[^\"]*\",$", text, re.MULTILINE)  # holds ' only
    assert re.search(r"^    reason: '.*\\'.*',$", text, re.MULTILINE)  # ', " and ` -> \'
    assert re.search(r"^    metadata: '.*\\\\n.*',$", text, re.MULTILINE)  # backslash escape
    assert re.search(r"^    vat: undefined,$", text, re.MULTILINE)
    assert re.search(r"^    currency: null,$", text, re.MULTILINE)
    assert "'$fault': 'client'" in text


def test_exactly_one_malformed_block_followed_by_good_records(logs: Logs) -> None:
    broken = [r for r in logs.records if r.txn is None and r.json is None
              and r.text.startswith(START_SYNC)]
    assert len(broken) == 1
    bad = broken[0]
    following = [r for r in logs.records if r.file == bad.file and r.line > bad.line]
    assert following[0].level in ("INIT_START", "START")
    assert any(r.txn is not None for r in following[:10])


# --- data ------------------------------------------------------------------------------------

def test_transactions_users_and_currencies(txns: list[Record]) -> None:
    assert 1800 <= len(txns) <= 3500
    assert len({r.txn["id"] for r in txns}) == len(txns)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", r.txn["id"]) for r in txns)
    users = {r.txn["userId"] for r in txns}
    assert len(users) == 300
    currencies = Counter(r.txn.get("currency", MISSING) for r in txns)
    assert currencies.keys() >= CURRENCIES
    assert currencies[None] >= 1 and currencies[MISSING] >= 1
    assert min(currencies["SAR"], currencies["AED"]) > max(
        currencies["BHD"], currencies["KWD"], currencies["QAR"])
    assert {r.txn["type"] for r in txns} == {"DEBIT", "CREDIT"}
    actions = {r.txn["action"] for r in txns}
    assert {"DELIVERY_DEDUCTION", "ORDER_DEDUCTION", "WALLET_TOP_UP", "PLAN_RENEWAL"} <= actions
    first, last = min(r.ts for r in txns), max(r.ts for r in txns)
    assert first.date() == date(2024, 3, 1) and last.date() == date(2024, 5, 15)


def test_balances_are_consistent_per_subscriber(txns: list[Record]) -> None:
    breaks = 0
    for rows in _by_user(txns).values():
        for row in rows:
            sign = -1 if row["type"] == "DEBIT" else 1
            assert row["newBalance"] == pytest.approx(row["oldBalance"] + sign * row["amount"])
            if row["in_sync"]:
                assert row["paymentBalance"] == pytest.approx(row["newBalance"])
        for before, after in itertools.pairwise(rows):
            breaks += after["oldBalance"] != pytest.approx(before["newBalance"])
    assert breaks == 1  # the transaction lost in the malformed block


def test_sync_errors_sit_in_the_segment_of_their_transaction(logs: Logs, txns: list[Record]
                                                             ) -> None:
    by_segment = {r.segment: r.txn["id"] for r in txns}
    sync = [r for r in logs.records if r.level == "ERROR" and SYNC.search(r.text)]
    assert 100 <= len(sync) <= 400
    for record in sync:
        assert _sync_user(record)[1] == by_segment[record.segment]
    worded = [r for r in sync if "not in sync" not in r.text]
    assert len(worded) == 1 and "out of sync" not in worded[0].text
    segments_without_message = {r.segment for r in txns if r.segment[2] == 0}
    assert any(r.segment in segments_without_message for r in sync)


def test_non_sync_errors_leave_transactions_in_sync(logs: Logs, txns: list[Record]) -> None:
    other = [r for r in logs.records if r.level == "ERROR" and not SYNC.search(r.text)]
    assert sum("Task timed out" in r.text for r in other) >= 3
    conditional = [r for r in other if "ConditionalCheckFailedException" in r.text]
    assert len(conditional) >= 5
    in_segment = {r.segment: r.txn for r in txns}
    assert all(in_segment[r.segment]["in_sync"] for r in conditional)


def test_sqs_batches_and_direct_invocations(logs: Logs, txns: list[Record]) -> None:
    per_request = Counter(r.segment[:2] for r in logs.records
                          if r.text.startswith("Processing message "))
    batch_sizes = Counter(min(count, 5) for count in per_request.values())
    assert set(batch_sizes) == {1, 2, 3, 4}
    assert batch_sizes[2] + batch_sizes[3] + batch_sizes[4] >= 150
    assert sum(r.segment[2] == 0 for r in txns) >= 50  # requests without segments


def test_drift_precedes_overdraft(txns: list[Record]) -> None:
    users = _by_user(txns)
    drifted = {u for u, rows in users.items() if not all(r["in_sync"] for r in rows)}
    overdraft = {u for u, rows in users.items() if any(r["paymentBalance"] < 0 for r in rows)}
    assert 15 <= len(drifted) <= 25
    leads = {u: _lead_hours(users[u]) for u in overdraft}
    with_lead = [h for h in leads.values() if h is not None]
    assert len(with_lead) >= 10
    assert all(12 <= h <= 10 * 24 for h in with_lead)
    assert 1 <= sum(h is None for h in leads.values()) <= 2  # overdraft without drift
    assert 0.5 < len(drifted & overdraft) / len(drifted) < 1  # precision
    rows = [r for u in overdraft for r in users[u] if r["paymentBalance"] < 0]
    assert 0.8 < sum(not r["in_sync"] for r in rows) / len(rows) < 1
    assert 24 <= statistics.median(with_lead) <= 8 * 24


def test_at_risk_subscribers_at_the_end(txns: list[Record]) -> None:
    at_risk = []
    end = max(r.ts for r in txns)
    for user, rows in _by_user(txns).items():
        last = rows[-1]
        if not last["in_sync"] and last["paymentBalance"] >= 0:
            at_risk.append(user)
            debits = [r for r in rows if r["type"] == "DEBIT" and r["ts"] > end - timedelta(30)]
            assert len(debits) >= 4
            assert all(r["paymentBalance"] >= 0 for r in rows)
    assert 3 <= len(at_risk) <= 6


def test_eid_spike_and_weekly_rhythm(txns: list[Record]) -> None:
    debits = [r.ts.date() for r in txns if r.txn["type"] == "DEBIT"]
    weeks = Counter((day - date(2024, 4, 7)).days // 7 for day in debits)
    eid_week = weeks.pop(0)
    full_weeks = [count for week, count in weeks.items() if -4 <= week <= 4]
    assert eid_week > 1.6 * statistics.mean(full_weeks)
    usual = Counter(day.weekday() for day in debits if abs((day - date(2024, 4, 10)).days) > 3)
    assert usual[3] > 1.5 * usual[4]  # Thursday busier than Friday (GCC weekend)

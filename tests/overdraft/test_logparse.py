"""The log reader on hand-made files: every form of contracts/lambda_logs.md."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from analytics.errors import InputError
from analytics.overdraft.logparse import FileSummary, parse_log
from analytics.overdraft.settings import ParserSettings
from tests.overdraft import logkit as k

REQ, REQ2 = "405bb962-f57b-521d-81a1-e7272fbf6077", "5a1c0d2e-0000-4000-8000-000000000002"
U1, U2 = "df06a87e-a8bd-4aa4-b6f0-c16c1be9bb02", "00b2df99-692a-45c1-b277-854a63b3a168"
SEED_LOG = """2024-02-13T21:01:04.046Z INIT_START Runtime Version: nodejs:20.v15	Runtime Version ARN: arn:aws:lambda:x
2024-02-13T21:01:04.792Z START RequestId: 405bb962-f57b-521d-81a1-e7272fbf6077 Version: $LATEST
2024-02-13T21:01:04.936Z 2024-02-13T21:01:04.936Z	405bb962-f57b-521d-81a1-e7272fbf6077	INFO	Processing message 861bec95-b670-4f2a-acf9-19d5bdd7cbe5
2024-02-13T21:01:05.050Z 2024-02-13T21:01:05.050Z	405bb962-f57b-521d-81a1-e7272fbf6077	INFO	Start syncing the balance """ + k.SEED_OBJECT + """
2024-02-13T21:01:05.242Z 2024-02-13T21:01:05.242Z	405bb962-f57b-521d-81a1-e7272fbf6077	INFO	SubscriptionBalanceUpdated event published
2024-02-13T21:01:05.410Z END RequestId: 405bb962-f57b-521d-81a1-e7272fbf6077
2024-02-13T21:01:05.411Z REPORT RequestId: 405bb962-f57b-521d-81a1-e7272fbf6077	Duration: 612.35 ms	Billed Duration: 613 ms	Memory Size: 256 MB	Max Memory Used: 98 MB
"""


class Rows:
    """Collects what the parser emits."""

    def __init__(self) -> None:
        self.tx: list[dict] = []
        self.errors: list[dict] = []
        self.gaps: list[list] = []

    def run(self, path: Path, cfg: ParserSettings | None = None) -> FileSummary:
        from analytics.overdraft.logparse import ERROR_COLUMNS, TX_COLUMNS

        return parse_log(path, path.name, cfg or ParserSettings(),
                         lambda r: self.tx.append(dict(zip(TX_COLUMNS, r, strict=True))),
                         lambda r: self.errors.append(dict(zip(ERROR_COLUMNS, r, strict=True))),
                         self.gaps.append)


def parse_text(tmp_path: Path, text: str, name: str = "a.log", cfg: ParserSettings | None = None
               ) -> tuple[FileSummary, Rows]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    rows = Rows()
    return rows.run(path, cfg), rows


def test_the_contract_seed_example(tmp_path: Path) -> None:
    summary, rows = parse_text(tmp_path, SEED_LOG)
    assert summary.records == 7  # INIT_START, START, Processing, Start syncing, published, END, REPORT
    assert summary.lines == 23 and summary.transactions == 1 and summary.errors == 0
    tx = rows.tx[0]
    assert tx == {
        "date_time": tx["date_time"], "request_id": REQ, "message_id": "861bec95-b670-4f2a-acf9-19d5bdd7cbe5",
        "id": "01HPJ4BT09Y3GYQQZD1XFEGDHT", "type": "DEBIT", "source": "MANUAL_DEDUCTION",
        "action": "DELIVERY_DEDUCTION", "user_id": U1, "payment_balance": 16.4,
        "update_payment_balance": True, "currency": "BHD", "amount": 8.0, "vat": 0.0, "old_balance": 24.4,
        "new_balance": 16.4,
        "metadata": '{"walletId":"wallet#df06...","deliveryId":"ef86...","walletSk":"ef86..."}',
        "in_sync": True,
    }
    assert tx["date_time"].isoformat() == "2024-02-13T21:01:05.050000"


def test_multi_message_request_and_a_sync_error_in_one_segment_only(tmp_path: Path) -> None:
    t = "2024-01-14T21:01:06.{:03d}Z"
    text = (k.start(t.format(0), REQ)
            + k.processing(t.format(1), REQ, "m-1") + k.tx_record(t.format(2), REQ, k.transaction("T1", U1, 10))
            + k.app(t.format(3), REQ, "INFO", "SubscriptionBalanceUpdated event published")
            + k.processing(t.format(4), REQ, "m-2") + k.tx_record(t.format(5), REQ, k.transaction("T2", U2, -1.8))
            + k.sync_error(t.format(6), REQ, U2, "T2")
            + k.processing(t.format(7), REQ, "m-3") + k.tx_record(t.format(8), REQ, k.transaction("T3", U1, 5))
            + k.end(t.format(9), REQ))
    summary, rows = parse_text(tmp_path, text)
    got = {r["id"]: (r["message_id"], r["in_sync"]) for r in rows.tx}
    assert got == {"T1": ("m-1", True), "T2": ("m-2", False), "T3": ("m-3", True)}
    assert summary.sync_errors == 1
    err = rows.errors[0]
    # lines: START 1, m-1 2, T1 3-19 (17 lines), published 20, m-2 21, T2 22-38, the error 39
    assert (err["message_id"], err["user_id"], err["is_sync_error"], err["line"]) == ("m-2", U2, True, 39)


def test_a_request_without_segments_is_one_segment(tmp_path: Path) -> None:
    ts = "2024-01-14T21:01:06.700Z"
    text = (k.start(ts, REQ) + k.tx_record(ts, REQ, k.transaction("T1", U1, 10))
            + k.tx_record(ts, REQ, k.transaction("T2", U1, 5))
            + k.sync_error(ts, REQ, U1, "T2", wording="Subscription balance is Out Of Sync with the payment balance")
            + k.end(ts, REQ) + k.one_request(ts, REQ2, k.transaction("T3", U2, 1)))
    _, rows = parse_text(tmp_path, text)
    assert {r["id"]: (r["message_id"], r["in_sync"]) for r in rows.tx} == {
        "T1": (None, False), "T2": (None, False), "T3": (None, True)}


def test_a_non_sync_error_is_kept_but_leaves_in_sync_alone(tmp_path: Path) -> None:
    ts = "2024-03-03T08:15:05.506Z"
    conditional = ("Failed to update subscription balance ConditionalCheckFailedException: The conditional "
                   "request failed\n    at throwDefaultError (/var/runtime/index.js:838:20) {\n"
                   "  '$fault': 'client',\n  '$metadata': {\n    httpStatusCode: 400,\n"
                   "    extendedRequestId: undefined,\n    attempts: 1\n  },\n"
                   "  __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException'\n}")
    text = (k.start(ts, REQ) + k.processing(ts, REQ, "m-1") + k.tx_record(ts, REQ, k.transaction("T1", U1, 10))
            + k.app(ts, REQ, "ERROR", conditional) + k.end(ts, REQ)
            + k.start(ts, REQ2) + k.processing(ts, REQ2, "m-2")
            + k.app(ts, REQ2, "ERROR", "Task timed out after 6.01 seconds") + k.end(ts, REQ2))
    summary, rows = parse_text(tmp_path, text)
    assert [r["in_sync"] for r in rows.tx] == [True]
    assert summary.errors == 2 and summary.sync_errors == 0 and not summary.malformed
    first, second = rows.errors
    # lines: START 1, m-1 2, T1 3-19 (17 lines), the error 20
    assert first["user_id"] == U1 and first["message"].startswith("Failed to update") and first["line"] == 20
    assert first["message"].endswith("ConditionalCheckFailedException'\n}")
    assert second["user_id"] is None and second["message"] == "Task timed out after 6.01 seconds"


def test_a_truncated_block_is_reported_and_the_next_records_are_read(tmp_path: Path) -> None:
    ts = "2024-05-09T00:15:03.125Z"
    good = k.tx_record(ts, REQ, k.transaction("T1", U1, 10))
    cut = "\n".join(good.splitlines()[:8]) + "\n    paymentB\n"
    text = k.start(ts, REQ) + k.processing(ts, REQ, "m-1") + cut + k.one_request(ts, REQ2, k.transaction("T2", U2, 3))
    summary, rows = parse_text(tmp_path, text)
    assert [(m.line, m.reason) for m in summary.malformed] == [(3, "unterminated object")]
    assert summary.malformed[0].raw.startswith("Start syncing the balance {")
    assert [r["id"] for r in rows.tx] == ["T2"]
    assert summary.records == 3 + 5  # START, Processing, the cut block (one record); then a whole request


def test_split_and_backtick_strings(tmp_path: Path) -> None:
    ts = "2024-03-07T15:45:18.331Z"
    reason = "Customer's note: \"use `side` door\""
    split = k.transaction("T1", U1, 10, kind="CREDIT", reason=reason,
                          metadata='{"walletId":"wallet#' + U1 + '","note":"Ring twice, \\"Villa 12\\""}')
    text = k.start(ts, REQ) + k.tx_record(ts, REQ, split, split=16) + k.end(ts, REQ)
    assert "' +\n      '" in text  # an older runtime's continued string
    escaped = k.transaction("T2", U2, 1, kind="CREDIT", reason=reason)  # ', " and `: quoted ' with \'
    backtick = k.transaction("T3", U2, 2, kind="CREDIT", reason="it's \"done\"")  # ' and ": backticks
    text += k.one_request(ts, REQ2, escaped) + k.one_request(ts, "r3", backtick)
    assert "reason: 'Customer\\'s note" in text and "reason: `it's \"done\"`" in text
    _, rows = parse_text(tmp_path, text)
    assert [r["id"] for r in rows.tx] == ["T1", "T2", "T3"]
    assert rows.tx[0]["metadata"] == split["metadata"] and rows.tx[0]["action"] == "DELIVERY_DEDUCTION"
    # reason is not a contract column: the metadata carries the text that matters here
    parsed = {r["id"]: r for r in rows.tx}
    assert parsed["T2"]["amount"] == 5 and parsed["T3"]["payment_balance"] == 2


def test_json_records_in_both_variants_mixed_with_text(tmp_path: Path) -> None:
    ts = "2024-03-28T13:35:19.078Z"
    fields_tx = k.transaction("T1", U1, -70.5)
    text_tx = k.transaction("T2", U2, 12.5)
    text = (k.start(ts, REQ)
            + k.json_record(ts, REQ, "INFO", "Processing message m-1")
            + k.json_record(ts, REQ, "INFO", "Start syncing the balance", transaction=fields_tx)
            + k.json_record(ts, REQ, "ERROR", "Subscription balance and payment balance are not in sync",
                            userId=U1, transactionId="T1", subscriptionBalance=846, paymentBalance=-70.5)
            + k.json_record(ts, REQ, "INFO", "Processing message m-2")
            + k.json_record(ts, REQ, "INFO", "Start syncing the balance " + k.inspect({"transaction": text_tx}))
            + k.json_record(ts, REQ, "ERROR", "Failed to update subscription balance",
                            errorType="ConditionalCheckFailedException", errorMessage="The conditional request failed")
            + k.end(ts, REQ))
    summary, rows = parse_text(tmp_path, text)
    assert [(r["id"], r["message_id"], r["in_sync"], r["payment_balance"]) for r in rows.tx] == [
        ("T1", "m-1", False, -70.5), ("T2", "m-2", True, 12.5)]
    assert [(e["is_sync_error"], e["user_id"]) for e in rows.errors] == [(True, U1), (False, U2)]
    assert rows.errors[1]["message"] == ("Failed to update subscription balance "
                                         "ConditionalCheckFailedException: The conditional request failed")
    assert summary.records == 9


def test_gzip_and_crlf_read_like_plain_lf(tmp_path: Path) -> None:
    ts = "2024-04-21T00:07:49.801Z"
    text = k.one_request(ts, REQ, k.transaction("T1", U1, 10), out_of_sync=True)
    plain, plain_rows = parse_text(tmp_path, text)
    (tmp_path / "b.log.gz").write_bytes(gzip.compress(text.replace("\n", "\r\n").encode()))
    rows = Rows()
    packed = rows.run(tmp_path / "b.log.gz")
    # lines: START 1, T1 2-18 (17 lines), the error 19-24 (6 lines), published 25, END 26, REPORT 27
    assert rows.tx == plain_rows.tx and rows.errors[0]["line"] == plain_rows.errors[0]["line"] == 19
    assert (packed.records, packed.lines) == (plain.records, plain.lines) == (6, 27)
    assert rows.errors[0]["message"].endswith("}") and "\r" not in rows.errors[0]["message"]


def test_tiny_chunks_give_the_same_result(tmp_path: Path) -> None:
    text = SEED_LOG.replace("\n", "\r\n") + "\u00e9\u0627 2024-02-13T22:01:05.411Z START RequestId: x\n"
    whole, whole_rows = parse_text(tmp_path, text)
    cfg = ParserSettings(chunk_mb=7 / (1024 * 1024))  # 7 bytes: chunks cut lines, records, CRLF and UTF-8
    small, small_rows = parse_text(tmp_path, text, "b.log", cfg)
    assert small_rows.tx == whole_rows.tx and small.records == whole.records == 7
    assert small.lines == whole.lines == 24  # the seed's 23 lines and one more (it continues REPORT)
    assert [(m.line, m.reason) for m in small.malformed] == [(m.line, m.reason) for m in whole.malformed]


def test_text_before_the_first_record_is_reported(tmp_path: Path) -> None:
    summary, rows = parse_text(tmp_path, "  }\n}\n" + SEED_LOG)
    assert [(m.line, m.reason) for m in summary.malformed] == [
        (1, "text outside any record (no timestamp before it)")]
    assert len(rows.tx) == 1 and summary.records == 7


def test_a_bad_number_rejects_the_transaction_with_its_field(tmp_path: Path) -> None:
    ts = "2024-02-13T21:01:05.050Z"
    bad = k.transaction("T1", U1, 10)
    bad["amount"] = "eight"
    text = k.start(ts, REQ) + k.tx_record(ts, REQ, bad) + k.one_request(ts, REQ2, k.transaction("T2", U1, 2))
    summary, rows = parse_text(tmp_path, text)
    assert [(m.line, m.reason) for m in summary.malformed] == [(2, "amount: 'eight' is not a number")]
    assert [r["id"] for r in rows.tx] == ["T2"]


def test_missing_and_null_keys_are_null(tmp_path: Path) -> None:
    ts = "2024-02-13T21:01:05.050Z"
    tx = k.transaction("T1", U1, 10, currency=None)
    del tx["vat"]
    tx["newBalance"] = k.UNDEFINED
    _, rows = parse_text(tmp_path, k.one_request(ts, REQ, tx))
    assert (rows.tx[0]["currency"], rows.tx[0]["vat"], rows.tx[0]["new_balance"]) == (None, None, None)


def test_gaps_between_records_are_kept_above_the_minimum(tmp_path: Path) -> None:
    text = (k.platform("2024-01-01T10:00:00.000Z", "START RequestId: a Version: 1")
            + k.platform("2024-01-01T10:04:59.000Z", "END RequestId: a")  # 299 s: not kept
            + k.platform("2024-01-01T10:10:00.000Z", "START RequestId: b Version: 1")  # 301 s: kept
            + k.platform("2024-01-01T12:10:00.000Z", "END RequestId: b"))  # 7200 s: kept
    _, rows = parse_text(tmp_path, text)
    assert [(g[2], g[4]) for g in rows.gaps] == [(301.0, 3), (7200.0, 4)]


def test_a_file_without_records_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no log records"):
        parse_text(tmp_path, "just some text\n")
    (tmp_path / "bin.log").write_bytes(b"\x00\x01\x02" * 10)
    with pytest.raises(InputError, match="binary"):
        Rows().run(tmp_path / "bin.log")


def test_a_damaged_gzip_keeps_what_was_read_and_says_so(tmp_path: Path) -> None:
    text = "".join(k.one_request(f"2024-01-01T10:{i:02d}:00.000Z", f"r{i}", k.transaction(f"T{i}", U1, i))
                   for i in range(40))
    data = gzip.compress(text.encode())
    (tmp_path / "cut.log.gz").write_bytes(data[: len(data) // 2])
    rows = Rows()
    summary = rows.run(tmp_path / "cut.log.gz")
    assert 0 < len(rows.tx) < 40
    assert summary.malformed and "gzip stream is damaged" in summary.malformed[-1].reason

"""Stream one balance-sync Lambda log file into transactions, errors and gaps.

The file is read in chunks (gzip or plain, CRLF or LF) and cut into records: a record starts
on a line that begins with an ISO timestamp or a JSON log object; lines that start neither
continue the record above. Records are followed per request: "Processing message" opens a
segment, "Start syncing the balance" carries a transaction (util.inspect text or a JSON
field), and an ERROR whose message says "not in sync" / "out of sync" marks its segment out of
sync. A segment's transactions are emitted when the segment closes, with `in_sync` known.
A block that cannot be read is reported (file, line, reason) and skipped; memory stays
bounded by the chunk size, the open requests and the row batches of the sinks.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics.errors import InputError
from analytics.overdraft.inspect_text import UNDEFINED, InspectError, parse_object
from analytics.overdraft.settings import ParserSettings

START_SYNC = "Start syncing the balance"
PROCESSING = "Processing message "
TX_COLUMNS = (
    "date_time", "request_id", "message_id", "id", "type", "source", "action", "user_id",
    "payment_balance", "update_payment_balance", "currency", "amount", "vat", "old_balance",
    "new_balance", "metadata", "in_sync",
)
ERROR_COLUMNS = ("date_time", "request_id", "message_id", "user_id", "message", "is_sync_error",
                 "file", "line")
GAP_COLUMNS = ("gap_start", "gap_end", "gap_seconds", "file", "line")
RAW_LIMIT = 400  # characters of a malformed block kept to show where it went wrong

# A record starts at a line opening with an ISO timestamp or with a JSON log object; splitting
# on the newline before it (a literal first character) is twice as fast as a `^` anchor.
_RECORD_START = re.compile(
    r'\n(?=\d{4}-\d\d-\d\dT\d\d:\d\d|\{"(?:time|timestamp|level|requestId|type|message)")')
_IN_SYNC = 16  # index of in_sync in a transaction row
_USER = 7  # index of user_id in a transaction row
Emit = Callable[[list[Any]], None]


@dataclass
class Malformed:
    """A block that could not be read: where it starts and why."""

    file: str
    line: int
    reason: str
    raw: str


@dataclass
class FileSummary:
    """What one file held."""

    file: str
    records: int = 0
    lines: int = 0
    transactions: int = 0
    errors: int = 0
    sync_errors: int = 0
    malformed: list[Malformed] = field(default_factory=list)
    first_time: dt.datetime | None = None
    last_time: dt.datetime | None = None
    warnings: list[str] = field(default_factory=list)


class _BadValue(ValueError):
    """A transaction field that cannot be read (the message names it)."""


class _Request:
    """One request's open segment: its message id, its transactions and whether it drifted."""

    __slots__ = ("message_id", "sync_error", "txs")

    def __init__(self) -> None:
        self.message_id: str | None = None
        self.txs: list[list[Any]] = []
        self.sync_error = False


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 timestamp as naive UTC (no offset means UTC); ValueError when unreadable."""
    if text.endswith("Z"):
        return dt.datetime.fromisoformat(text[:-1])
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _number(tx: dict[str, Any], key: str) -> float | None:
    value = tx.get(key)
    if type(value) is float:
        return value
    if value is None or value is UNDEFINED:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise _BadValue(f"{key}: {str(value)[:40]!r} is not a number")


def _text(tx: dict[str, Any], key: str) -> str | None:
    value = tx.get(key)
    if type(value) is str:
        return value
    if value is None or value is UNDEFINED:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def _flag(tx: dict[str, Any], key: str) -> bool | None:
    value = tx.get(key)
    if value is True or value is False:
        return value
    if value is None or value is UNDEFINED:
        return None
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _BadValue(f"{key}: {str(value)[:40]!r} is not true or false")


class LogParser:
    """Reads one file's text, fed in pieces, and emits rows through three callbacks."""

    def __init__(self, label: str, cfg: ParserSettings, emit_tx: Emit, emit_error: Emit,
                 emit_gap: Emit) -> None:
        self.summary = FileSummary(label)
        self.label = label
        self._emit_tx, self._emit_error, self._emit_gap = emit_tx, emit_error, emit_gap
        self._phrases = tuple(p.lower() for p in cfg.sync_error_phrases)
        self._max_record = int(cfg.max_record_mb * 1024 * 1024)
        self._max_open = cfg.max_open_requests
        self._gap_min = cfg.gap_min_seconds
        self._minute_shortcut = cfg.gap_min_seconds >= 60
        self._open: dict[str, _Request] = {}
        self._carry = ""
        self._newlines = 0
        self._partial = ""  # the last line of the text fed so far, when it has no newline yet
        self._skipping = False  # inside an over-long record being dropped
        self._line = 1  # line number of the next record to read
        self._prev_ts: str | None = None
        self._min_ts: str | None = None
        self._max_ts: str | None = None

    # -- feeding -------------------------------------------------------------------------
    def feed(self, text: str) -> None:
        """Read more of the file (whole or partial lines; LF line ends)."""
        text = self._partial + text
        cut = text.rfind("\n") + 1  # only whole lines go on: a record start is never cut in two
        self._partial = text[cut:]
        if len(self._partial) > self._max_record:
            self._partial = ""  # an endless line: dropped and reported with the record it is in
            self._skipping = True
            self._malformed(self._line, f"line longer than {self._max_record // (1024 * 1024)} MB",
                            text[cut:])
        text = text[:cut]
        if not text:
            return
        self._newlines += text.count("\n")
        # The buffer starts with a newline so that a record at its very start is found too.
        parts = _RECORD_START.split("\n" + self._carry + text)
        self._carry = ""
        if parts[0]:  # text before the first record: the head of a file or the rest of a dropped record
            self._before_record(parts[0][1:], ended=len(parts) > 1)
        if len(parts) == 1:
            return
        self._skipping = False
        del parts[0]
        last = parts.pop()
        self._records(parts)
        if len(last) > self._max_record:
            self._malformed(self._line, f"record longer than {self._max_record // (1024 * 1024)} MB", last)
            self._line += last.count("\n")
            self.summary.records += 1
            self._skipping = True
        else:
            self._carry = last

    def finish(self) -> FileSummary:
        """Read what is left, close every open request and return the file's summary."""
        if self._partial:  # the file does not end with a newline: end its last line
            self.feed("\n")
        if self._carry:
            record, self._carry = self._carry, ""
            self._record(record.rstrip("\n"))
        for request in list(self._open.values()):
            self._close_segment(request)
        self._open.clear()
        summary = self.summary
        summary.lines = self._newlines
        for name, value in (("first_time", self._min_ts), ("last_time", self._max_ts)):
            if value is not None:
                with contextlib.suppress(ValueError):
                    setattr(summary, name, parse_time(value))
        return summary

    # -- records -------------------------------------------------------------------------
    def _record(self, record: str) -> None:
        """One record (its lines without the final newline)."""
        self._records([record])

    def _records(self, records: list[str]) -> None:
        """Records in file order: the hot loop, so state lives in locals while it runs."""
        line, prev, low, high = self._line, self._prev_ts, self._min_ts, self._max_ts
        shortcut = self._minute_shortcut
        count = 0
        for record in records:
            at = line
            line += record.count("\n") + 1
            count += 1
            if record[0] == "{":  # a JSON record: hand the state over, take it back after
                self._line, self._prev_ts, self._min_ts, self._max_ts = line, prev, low, high
                self._json_record(record, at)
                prev, low, high = self._prev_ts, self._min_ts, self._max_ts
                continue
            space = record.find(" ")
            ts = record[:space] if space > 0 else record.rstrip()
            if prev is not None and not (shortcut and ts[:16] == prev[:16] and ts[-1] == prev[-1] == "Z"):
                self._gap(prev, ts, at)
            prev = ts
            if high is None or ts > high:
                high = ts
            if low is None or ts < low:
                low = ts
            if space < 0:
                continue
            mark = record[space + 1:space + 2]
            if "0" <= mark <= "9":
                parts = record.split("\t", 3)
                if len(parts) == 4:
                    self._app(ts, parts[1], parts[2], parts[3], at, None)
            elif mark == "S" and record.startswith("START RequestId: ", space + 1):
                words = record[space + 18:].split(None, 1)
                self._start(words[0] if words else "")
            elif mark == "E" and record.startswith("END RequestId: ", space + 1):
                self._end(record[space + 16:].strip())
            elif mark == "R" and record.startswith("REPORT RequestId: ", space + 1):
                self._end(record[space + 19:].split("\t", 1)[0].strip())
        self._line, self._prev_ts, self._min_ts, self._max_ts = line, prev, low, high
        self.summary.records += count

    def _json_record(self, record: str, line: int) -> None:
        try:
            obj = json.loads(record)
        except ValueError as exc:
            self._malformed(line, f"not a complete JSON record ({getattr(exc, 'msg', exc)})", record)
            return
        ts = obj.get("timestamp") or obj.get("time") if isinstance(obj, dict) else None
        if not isinstance(ts, str):
            self._malformed(line, "JSON record without a timestamp", record)
            return
        self._clock(ts, line)
        kind = obj.get("type")
        if isinstance(kind, str) and kind.startswith("platform."):
            inner = obj.get("record")
            request_id = inner.get("requestId") if isinstance(inner, dict) else None
            if isinstance(request_id, str):
                if kind == "platform.start":
                    self._start(request_id)
                elif kind in ("platform.runtimeDone", "platform.report", "platform.end"):
                    self._end(request_id)
            return
        message = obj.get("message")
        if isinstance(message, dict | list):
            message = json.dumps(message, ensure_ascii=False)
        elif message is None:
            message = ""
        request_id = obj.get("requestId")
        self._app(ts, request_id if isinstance(request_id, str) else "", str(obj.get("level") or ""),
                  str(message), line, obj)

    def _app(self, ts: str, request_id: str, level: str, message: str, line: int,
             fields: dict[str, Any] | None) -> None:
        if message.startswith(PROCESSING):
            request = self._request(request_id)
            self._close_segment(request)
            words = message[len(PROCESSING):].split(None, 1)
            request.message_id = words[0] if words else None
        elif message.startswith(START_SYNC):
            self._transaction(ts, request_id, message, line, fields)
        elif level == "ERROR" or level.upper() == "ERROR":
            self._error(ts, request_id, message, line, fields)

    def _transaction(self, ts: str, request_id: str, message: str, line: int,
                     fields: dict[str, Any] | None) -> None:
        tx = fields.get("transaction") if fields is not None else None
        if not isinstance(tx, dict):
            brace = message.find("{", len(START_SYNC))
            if brace < 0:
                self._malformed(line, f"no transaction object after {START_SYNC!r}", message)
                return
            try:
                tx = parse_object(message, brace).get("transaction")
            except InspectError as exc:
                self._malformed(line, str(exc), message)
                return
            if not isinstance(tx, dict):
                self._malformed(line, "the object holds no transaction", message)
                return
        try:
            when = parse_time(ts)
            row = [
                when, request_id, None, _text(tx, "id"), _text(tx, "type"), _text(tx, "source"),
                _text(tx, "action"), _text(tx, "userId"), _number(tx, "paymentBalance"),
                _flag(tx, "updatePaymentBalance"), _text(tx, "currency"), _number(tx, "amount"),
                _number(tx, "vat"), _number(tx, "oldBalance"), _number(tx, "newBalance"),
                _text(tx, "metadata"), None,
            ]
        except ValueError as exc:  # _BadValue, or a timestamp that does not read
            self._malformed(line, str(exc), message)
            return
        request = self._request(request_id)
        row[2] = request.message_id
        request.txs.append(row)

    def _error(self, ts: str, request_id: str, message: str, line: int,
               fields: dict[str, Any] | None) -> None:
        text = message.rstrip()
        is_sync = any(p in text.lower() for p in self._phrases)
        user = None
        if fields is not None:
            user = fields.get("userId")
            if fields.get("errorType"):
                text = f"{text} {fields['errorType']}: {fields.get('errorMessage') or ''}".rstrip()
        if user is None:
            brace = message.find(" {")
            if brace >= 0:
                try:
                    user = parse_object(message, brace + 1).get("userId")
                except InspectError as exc:
                    self._malformed(line, f"error details: {exc}", message)
        request = self._request(request_id)
        if not isinstance(user, str):
            user = request.txs[0][_USER] if request.txs else None
        if is_sync:
            request.sync_error = True
            self.summary.sync_errors += 1
        try:
            when: dt.datetime | None = parse_time(ts)
        except ValueError:
            when = None
        self.summary.errors += 1
        self._emit_error([when, request_id, request.message_id, user, text, is_sync, self.label, line])

    # -- requests and segments -----------------------------------------------------------
    def _request(self, request_id: str) -> _Request:
        request = self._open.get(request_id)
        if request is None:
            if len(self._open) >= self._max_open:  # close the oldest open request
                self._close_segment(self._open.pop(next(iter(self._open))))
            request = self._open[request_id] = _Request()
        return request

    def _start(self, request_id: str) -> None:
        old = self._open.pop(request_id, None)
        if old is not None:
            self._close_segment(old)
        self._request(request_id)

    def _end(self, request_id: str) -> None:
        request = self._open.pop(request_id, None)
        if request is not None:
            self._close_segment(request)

    def _close_segment(self, request: _Request) -> None:
        """Emit the segment's transactions, now that we know whether it held a sync error."""
        in_sync = not request.sync_error
        for row in request.txs:
            row[_IN_SYNC] = in_sync
            self._emit_tx(row)
        self.summary.transactions += len(request.txs)
        request.txs = []
        request.sync_error = False

    # -- time, gaps, problems ------------------------------------------------------------
    def _clock(self, ts: str, line: int) -> None:
        """Note one record's time (first, last, the silence since the record before)."""
        prev = self._prev_ts
        self._prev_ts = ts
        if self._min_ts is None or ts < self._min_ts:
            self._min_ts = ts
        if self._max_ts is None or ts > self._max_ts:
            self._max_ts = ts
        if prev is not None and not (self._minute_shortcut and ts[:16] == prev[:16]
                                     and ts[-1] == prev[-1] == "Z"):
            self._gap(prev, ts, line)

    def _gap(self, prev: str, ts: str, line: int) -> None:
        """Keep the silence between two records when it is long enough."""
        try:
            start, end = parse_time(prev), parse_time(ts)
        except ValueError:
            return
        seconds = (end - start).total_seconds()
        if seconds >= self._gap_min:
            self._emit_gap([start, end, seconds, self.label, line])

    def _before_record(self, text: str, ended: bool) -> None:
        """Text that belongs to no record (`ended`: a record follows it in this piece)."""
        line = self._line
        self._line += text.count("\n") + ended
        if not self._skipping and text.strip():
            self._malformed(line, "text outside any record (no timestamp before it)", text)
            self._skipping = True  # the rest of it, up to the next record, is dropped silently

    def _malformed(self, line: int, reason: str, raw: str) -> None:
        self.summary.malformed.append(Malformed(self.label, line, reason, raw[:RAW_LIMIT]))


# -- reading files ---------------------------------------------------------------------------
def is_gzip(path: Path) -> bool:
    """True when the file starts with gzip's magic bytes."""
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _chunks(fh: Any, size: int, gz: bool, problems: list[str]) -> Iterator[bytes]:
    """Pieces of about `size` bytes; a gzip stream that breaks off yields what it gave first."""
    if not gz:
        yield from iter(lambda: fh.read(size), b"")
        return
    pending: list[bytes] = []
    held = 0
    while True:
        try:
            data = fh.read1(size)  # one underlying read at most: little is lost when the stream breaks
        except (EOFError, OSError, zlib.error) as exc:
            problems.append(f"the gzip stream is damaged ({exc}); the rest of the file is unreadable")
            data = b""
        if data:
            pending.append(data)
            held += len(data)
        if held >= size or (not data and pending):
            yield b"".join(pending)
            pending, held = [], 0
        if not data:
            return


def read_text(path: Path, chunk_bytes: int, label: str, problems: list[str]) -> Iterator[str]:
    """The file's text in pieces (gunzipped, UTF-8, CRLF made LF); a cut gzip stream is noted."""
    gz = is_gzip(path)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    held = ""  # a trailing '\r' waits for the next piece (it may start with '\n')
    first = True
    replaced = 0
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
        for data in _chunks(fh, chunk_bytes, gz, problems):
            if first:
                if b"\x00" in data[:8192]:
                    raise InputError(f"{label}: not a text log file (it holds binary data)")
                first = False
            text = held + decoder.decode(data)
            held = ""
            if text.endswith("\r"):
                text, held = text[:-1], "\r"
            if "\ufffd" in text:
                replaced += text.count("\ufffd")
            yield text.replace("\r\n", "\n") if "\r" in text else text
        rest = held + decoder.decode(b"", final=True)
        if rest:
            replaced += rest.count("\ufffd")
            yield rest
    if replaced:
        problems.append(f"{label}: {replaced} bytes are not UTF-8 text; each was read as U+FFFD")


def parse_log(path: Path, label: str, cfg: ParserSettings, emit_tx: Emit, emit_error: Emit,
              emit_gap: Emit) -> FileSummary:
    """Parse one log file, sending rows to the callbacks; the file's summary."""
    parser = LogParser(label, cfg, emit_tx, emit_error, emit_gap)
    problems: list[str] = []
    for text in read_text(path, int(cfg.chunk_mb * 1024 * 1024), label, problems):
        parser.feed(text)
    summary = parser.finish()
    for problem in problems:
        if problem.startswith("the gzip stream"):
            summary.malformed.append(Malformed(label, max(summary.lines, 1), problem, ""))
        else:
            summary.warnings.append(problem)
    if summary.records == 0:
        raise InputError(f"{label}: no log records (a record starts with an ISO timestamp or a JSON object)")
    return summary

"""Read CSV, Excel and Parquet files against their contract, outside the store's lock.

A file is parsed in a scratch in-memory DuckDB: the header is checked against the contract
(a missing column names the file and the column), every value is typed, and rows that
cannot be read are kept with their line number and reason instead of being dropped. The
good rows are staged in a Parquet file that the store then inserts in one short transaction.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics import contracts
from analytics.contracts import SQL_TYPES, Column, Contract
from analytics.errors import ContractError, InputError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_CHUNK = 1 << 20
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_INTERNAL = {"_rec", "_reason"}


@dataclass
class Reject:
    """A row that could not be read: where it is and why."""

    line: int | None
    reason: str
    raw: str


@dataclass
class ParsedFile:
    """A file read and checked, its good rows staged as Parquet, ready for the store."""

    path: Path
    file_name: str
    sha256: str
    contract: Contract | None  # None: an ad-hoc table
    table: str
    staged: Path
    rows: int
    columns: list[str]
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Path] = field(default_factory=dict)  # more tables staged from one file
    kind: str | None = None  # the format's name when it is not a contract CSV (e.g. lambda_logs)

    @property
    def contract_name(self) -> str:
        """The contract's name, or 'adhoc'."""
        if self.kind:
            return self.kind
        return self.contract.name if self.contract else "adhoc"


# -- small helpers -------------------------------------------------------------------------
def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (files are known by their content)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_identifier(raw: str, prefix: str = "") -> str:
    """A SQL identifier made from user text (file or sheet name): [a-z0-9_], at most 63 chars."""
    slug = re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_") or "table"
    name = f"{prefix}{slug}"[:63].rstrip("_")
    if not name[0].isalpha() and name[0] != "_":
        name = f"t_{name}"[:63]
    return check_identifier(name)


def safe_file_name(name: str) -> str:
    """A user's file name reduced to a safe base name that keeps its (short) extensions."""
    base = Path(name).name
    suffixes = [s.lower() for s in Path(base).suffixes[-2:] if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", s)]
    stem = base[: len(base) - len("".join(suffixes))] if suffixes else base
    return f"{safe_identifier(stem)}{''.join(suffixes)}"


def check_identifier(name: str) -> str:
    """`name` when it is a plain lower-case SQL identifier; InputError otherwise."""
    if not _IDENT.match(name):
        raise InputError(f"{name!r} is not a valid table or column name")
    return name


def quote_ident(name: str) -> str:
    """Double-quote an identifier for SQL (after it has been checked)."""
    return '"' + name.replace('"', '""') + '"'


# -- encodings -----------------------------------------------------------------------------
def _first_bad_line(path: Path, encoding: str) -> tuple[int, int] | None:
    """(line, byte) of the first byte that does not decode, or None when the file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            line += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return line, 0
    return None


def utf8_copy(path: Path, workdir: Path, label: str | None = None) -> tuple[Path, list[str]]:
    """The file as UTF-8 text: itself, or a transcoded copy in `workdir`, with warnings."""
    label = label or path.name
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        raise InputError(f"{label}: the file is empty (no header row)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, workdir, "utf-16"), [f"{label}: read as UTF-16"]
    if b"\x00" in head:
        raise InputError(f"{label}: not a text file (it holds binary data); expected CSV")
    bad = _first_bad_line(path, "utf-8")
    if bad is None:
        return path, []
    if _first_bad_line(path, "cp1252") is None:
        note = (
            f"{label}: not UTF-8 (byte 0x{bad[1]:02x} on line {bad[0]}); "
            "read as Windows-1252"
        )
        return _transcode(path, workdir, "cp1252"), [note]
    raise InputError(
        f"{label}: line {bad[0]}: byte 0x{bad[1]:02x} is not UTF-8 text; "
        "save the file as UTF-8 CSV"
    )


def _transcode(path: Path, workdir: Path, encoding: str) -> Path:
    out = workdir / f"{path.stem}.utf8.csv"
    with open(path, encoding=encoding, newline="") as src, open(
        out, "w", encoding="utf-8", newline=""
    ) as dst:
        for chunk in iter(lambda: src.read(_CHUNK), ""):
            dst.write(chunk)
    return out


# -- headers -------------------------------------------------------------------------------
def read_header(path: Path, label: str | None = None) -> tuple[list[str], str]:
    """The first record of a UTF-8 CSV and its delimiter (comma, semicolon, tab or pipe)."""
    label = label or path.name
    with open(path, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise InputError(f"{label}: the file is empty (no header row)")
    first_line = sample.splitlines()[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        header = next(csv.reader(io.StringIO(first_line), delimiter=delim))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"{label}: line 1: the header cannot be read ({exc})") from None
    return header, delim


def _normalised_header(header: list[str], file_name: str) -> list[str]:
    names = [contracts.normalise(h) for h in header]
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name:
            names[i] = name = f"column_{i + 1}"
        if name in seen:
            raise InputError(f"{file_name}: column {name!r} appears twice in the header")
        seen.add(name)
    return names


def check_header(header: list[str], contract: Contract, file_name: str) -> list[str]:
    """Warnings for the header; ContractError naming the file and each missing column."""
    cols = {contracts.normalise(h) for h in header}
    missing = [r for r in contract.required if r not in cols]
    if missing:
        raise ContractError(
            f"{file_name}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} "
            f"(contract {contract.name}, see contracts/{contract.doc})"
        )
    extra = sorted(cols - set(contract.names))
    return [f"{file_name}: extra columns kept out of the table: {', '.join(extra)}"] if extra else []


# -- typing and row checks -----------------------------------------------------------------
def _typed_expr(col: Column, ref: str) -> str:
    """SQL giving the typed value of a raw VARCHAR cell (NULL when blank or unreadable)."""
    txt = f"NULLIF(trim({ref}), '')"
    if col.type == "string":
        return f"lower({txt})" if col.allowed else txt
    if col.type == "timestamp":
        return f"TRY_CAST({txt} AS TIMESTAMPTZ)::TIMESTAMP"
    if col.type == "decimal":
        return f"TRY_CAST({txt} AS {SQL_TYPES['decimal']})"
    if col.type == "double":
        return f"TRY_CAST({txt} AS DOUBLE)"
    if col.type == "int":
        as_double = f"TRY_CAST({txt} AS DOUBLE)"
        return f"CASE WHEN {as_double} = floor({as_double}) THEN TRY_CAST({as_double} AS BIGINT) END"
    if col.type == "bool":
        low = f"lower({txt})"
        return (
            f"CASE WHEN {low} IN ('true','t','1','yes','y') THEN TRUE "
            f"WHEN {low} IN ('false','f','0','no','n') THEN FALSE END"
        )
    raise ValueError(col.type)


_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
             "UBIGINT", "UHUGEINT"}
_FLOATS = {"FLOAT", "DOUBLE"}
_TIMES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE", "DATE"}


def _native_expr(col: Column, ref: str, kind: str) -> str:
    """SQL giving the contract-typed value of an already typed (Parquet) cell of DuckDB type `kind`.

    Raises TypeError when that type cannot hold the column (a number where a time is expected).
    """
    numeric = kind in _INTEGERS or kind in _FLOATS or kind.startswith("DECIMAL")
    if col.type == "string":
        text = f"NULLIF(trim(CAST({ref} AS VARCHAR)), '')"
        return f"lower({text})" if col.allowed else text
    if col.type == "timestamp" and kind in _TIMES:
        return f"CAST({ref} AS TIMESTAMP)"  # with a time zone: converted to UTC (the session's zone)
    if col.type == "int" and kind in _INTEGERS:
        return f"TRY_CAST({ref} AS BIGINT)"
    if col.type == "int" and numeric:
        return f"CASE WHEN {ref} = floor({ref}) THEN TRY_CAST({ref} AS BIGINT) END"
    if col.type in ("decimal", "double") and numeric:
        return f"TRY_CAST({ref} AS {SQL_TYPES[col.type]})"
    if col.type == "bool" and kind == "BOOLEAN":
        return ref
    if col.type == "bool" and kind in _INTEGERS:
        return f"CASE {ref} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END"
    raise TypeError(f"{kind} cannot hold a {col.type}")


_WHAT = {
    "timestamp": "is not an ISO 8601 timestamp",
    "decimal": "is not a number",
    "double": "is not a number",
    "int": "is not a whole number",
    "bool": "is not true/false/1/0/yes/no",
}


def _rules(col: Column, raw: str, typed: str, text: bool = True) -> list[tuple[str, str]]:
    """(condition, reason text) SQL pairs for the rules a column's cells must respect.

    `raw` is the cell as read: text (CSV, Excel) or, with text=False, a typed Parquet value.
    """
    blank = f"NULLIF(trim({raw}), '') IS NULL" if text else f"{raw} IS NULL"
    shown = f"left(trim({raw}), 60)" if text else f"left(CAST({raw} AS VARCHAR), 60)"
    quoted = f"'''' || {shown} || ''''"
    out = []
    if col.required:
        out.append((blank, f"'{col.name} is empty'"))
    if col.type != "string":
        out.append((f"(NOT ({blank}) AND {typed} IS NULL)",
                    f"'{col.name}: ' || {quoted} || ' {_WHAT[col.type]}'"))
    if col.min_value is not None:
        out.append((f"coalesce({typed} < {col.min_value!r}, false)",
                    f"'{col.name}: ' || {shown} || ' is below {col.min_value:g}'"))
    if col.allowed:
        allowed = ", ".join(f"'{v}'" for v in col.allowed)
        out.append((f"coalesce({typed} NOT IN ({allowed}), false)",
                    f"'{col.name}: ' || {quoted} || ' is not one of {'/'.join(col.allowed)}'"))
    return out


def _check_rows(
    con: duckdb.DuckDBPyConnection, contract: Contract, present: list[str], source: str = "raw",
    native: dict[str, str] | None = None, create: str = "TABLE",
) -> None:
    """Create table (or view) `checked` from `source`: typed contract columns, `_rec` and `_reason`.

    Each cell is typed once (inner query); the checks read the typed value and the raw text,
    and the reason text is only built for rows that break a rule. `native` maps the columns
    that arrive already typed (Parquet) to their DuckDB type; the others are text.
    """
    inner, outer, conds, reasons = ["_rec"], ["_rec"], [], []
    for col in contract.columns:
        name = quote_ident(col.name)
        if col.name in present:
            raw_ref = quote_ident(f"__raw_{col.name}")
            kind = (native or {}).get(col.name)
            typed = _typed_expr(col, name) if kind is None else _native_expr(col, name, kind)
            inner += [f"{name} AS {raw_ref}", f"{typed} AS {name}"]
            for cond, reason in _rules(col, raw_ref, name, text=kind is None):
                conds.append(cond)
                reasons.append(f"CASE WHEN {cond} THEN {reason} END")
        else:
            inner.append(f"NULL AS {name}")
        outer.append(f"CAST({name} AS {SQL_TYPES[col.type]}) AS {name}")
    reason = "''"
    if conds:
        reason = f"CASE WHEN {' OR '.join(conds)} THEN concat_ws('; ', {', '.join(reasons)}) ELSE '' END"
    con.execute(
        f"CREATE {create} checked AS SELECT {', '.join(outer)}, {reason} AS _reason "
        f"FROM (SELECT {', '.join(inner)} FROM {source})"
    )


def _raw_text(con: duckdb.DuckDBPyConnection, present: list[str], recs: list[int]) -> dict:
    """The raw cells of some records, as JSON text keyed by record number."""
    if not recs:
        return {}
    cols = ", ".join(quote_ident(c) for c in present)
    df = con.execute(
        f"SELECT _rec, {cols} FROM raw WHERE _rec IN (SELECT unnest($recs))", {"recs": recs}
    ).df()
    return {
        int(r["_rec"]): json.dumps({c: (None if pd.isna(r[c]) else r[c]) for c in present}, default=str)
        for _, r in df.iterrows()
    }


# -- CSV -----------------------------------------------------------------------------------
def _read_csv_sql(path: Path, delim: str, names: list[str] | None, typed: bool) -> str:
    opts = [
        "header = true",
        f"delim = {_sql_str(delim)}",
        "quote = '\"'",
        "escape = '\"'",
        "store_rejects = true",
        "rejects_table = 'reject_errors_x'",
        "rejects_scan = 'reject_scans_x'",
        "max_line_size = 10000000",
    ]
    if names is not None:
        opts.append("names = [" + ", ".join(_sql_str(n) for n in names) + "]")
    if not typed:
        opts.append("all_varchar = true")
    return f"read_csv({_sql_str(str(path))}, {', '.join(opts)})"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _structural_rejects(con: duckdb.DuckDBPyConnection) -> list[Reject]:
    rows = con.execute(
        "SELECT line, string_agg(DISTINCT error_type || ': ' || error_message, '; '), "
        "any_value(csv_line) FROM reject_errors_x GROUP BY line ORDER BY line"
    ).fetchall()
    return [Reject(int(line), reason, raw or "") for line, reason, raw in rows]


def record_lines(path: Path, delim: str, width: int) -> tuple[list[int], list[tuple[int, str]]]:
    """Where each record starts: good records' lines (in DuckDB's row order) and bad-width records.

    Good records have `width` fields; blank lines are skipped and records of another width are
    rejected, as DuckDB does, so the n-th good line here is the line of DuckDB's n-th row.
    """
    good: list[int] = []
    bad: list[tuple[int, str]] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        next(reader, None)
        prev_line = reader.line_num
        for row in reader:
            start, prev_line = prev_line + 1, reader.line_num
            if not row:
                continue
            if len(row) == width:
                good.append(start)
            else:
                bad.append((start, delim.join(row)))
    return good, bad


def _locate(
    text_path: Path, delim: str, width: int, structural: list[Reject], bad: list[tuple[int, str]]
) -> list[Reject]:
    """Rejects with exact line numbers: DuckDB's structural ones and the rows failing checks."""
    try:
        good_lines, bad_width = record_lines(text_path, delim, width)
    except csv.Error:  # Python's reader gives up where DuckDB did not: keep DuckDB's lines
        good_lines, bad_width = [], []
    if len(bad_width) == len(structural):  # both readers agree: take the exact lines
        pairs = zip(bad_width, structural, strict=True)
        structural = [Reject(line, r.reason, raw) for (line, raw), r in pairs]
    located = [(good_lines[rec - 1] if rec - 1 < len(good_lines) else None, reason) for rec, reason in bad]
    texts = _line_texts(text_path, {line for line, _ in located if line})
    out = structural + [Reject(line, reason, texts.get(line, "")) for line, reason in located]
    return sorted(out, key=lambda r: (r.line is None, r.line or 0))


def _line_texts(path: Path, lines: set[int], limit: int = 500) -> dict[int, str]:
    """The text of some physical lines (each cut at `limit` characters), in one pass."""
    out: dict[int, str] = {}
    if not lines:
        return out
    last = max(lines)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for n, text in enumerate(fh, start=1):
            if n in lines:
                out[n] = text.rstrip("\r\n")[:limit]
            if n >= last:
                break
    return out


def parse_csv(
    path: Path, contract: Contract | None, workdir: Path, label: str | None = None
) -> ParsedFile:
    """Read a CSV against `contract` (None: detect it, or load as ad hoc) and stage it."""
    name = label or path.name
    text_path, warnings = utf8_copy(path, workdir, name)
    header, delim = read_header(text_path, name)
    if contract is None:
        contract, _missing = contracts.detect(header)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if contract is None:
            return _stage_adhoc_csv(con, path, name, text_path, delim, workdir, warnings)
        warnings += check_header(header, contract, name)
        names = _normalised_header(header, name)
        src = _read_csv_sql(text_path, delim, names, typed=False)
        con.execute(f"CREATE TABLE raw AS SELECT row_number() OVER () AS _rec, * FROM {src}")
        rejects = _structural_rejects(con)
        present = [c for c in contract.names if c in names]
        _check_rows(con, contract, present)
        bad = con.execute("SELECT _rec, _reason FROM checked WHERE _reason <> '' ORDER BY _rec").fetchall()
        if bad or rejects:
            rejects = _locate(text_path, delim, len(names), rejects, bad)
        return _stage(con, path, name, contract, contract.table, workdir, rejects, warnings)
    except duckdb.Error as exc:
        raise InputError(f"{name}: cannot be read as CSV: {_one_line(exc)}") from None
    finally:
        con.close()


def _stage_adhoc_csv(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, text_path: Path, delim: str,
    workdir: Path, warnings: list[str],
) -> ParsedFile:
    header, _ = read_header(text_path, label)
    src = _read_csv_sql(text_path, delim, adhoc_names(header), typed=True)
    con.execute(f"CREATE TABLE checked AS SELECT *, '' AS _reason FROM {src}")
    rejects = _structural_rejects(con)
    table = safe_identifier(Path(label).stem, prefix="adhoc_")
    return _stage(con, path, label, None, table, workdir, rejects, warnings)


def _stage(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, contract: Contract | None,
    table: str, workdir: Path, rejects: list[Reject], warnings: list[str],
) -> ParsedFile:
    """Write the good rows of table `checked` to Parquet and describe the result."""
    staged = workdir / f"{safe_identifier(Path(label).stem)[:40]}.{len(list(workdir.iterdir()))}.parquet"
    cols = [r[0] for r in con.execute("DESCRIBE checked").fetchall() if r[0] not in _INTERNAL]
    select = ", ".join(quote_ident(c) for c in cols)
    con.execute(
        f"COPY (SELECT {select} FROM checked WHERE _reason = '') TO {_sql_str(str(staged))} "
        "(FORMAT parquet)"
    )
    rows = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(str(staged))})").fetchone()[0]
    return ParsedFile(
        path=path, file_name=label, sha256=file_sha256(path), contract=contract,
        table=table, staged=staged, rows=int(rows), columns=cols, rejects=rejects,
        warnings=warnings,
    )


# -- Excel ---------------------------------------------------------------------------------
def parse_excel(
    path: Path, contract: Contract | None, workdir: Path, label: str | None = None,
    sheet: str | None = None,
) -> ParsedFile:
    """Read one sheet of an .xlsx (the named one, else the first) like a CSV; lines are sheet rows."""
    name = label or path.name
    try:
        book = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"{name}: cannot be read as an Excel workbook: {_one_line(exc)}") from None
    if not book:
        raise InputError(f"{name}: the workbook has no sheets")
    if sheet is not None and sheet not in book:
        raise InputError(f"{name}: no sheet named {sheet!r}; sheets: {', '.join(book)}")
    sheet_name = sheet if sheet is not None else next(iter(book))
    frame = book[sheet_name]
    header = [str(c) for c in frame.columns]
    if contract is None:
        contract, _missing = contracts.detect(header)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if contract is None:
            con.register("frame_view", _adhoc_frame(frame))
            con.execute("CREATE TABLE checked AS SELECT *, '' AS _reason FROM frame_view")
            table = safe_identifier(f"{Path(name).stem}_{sheet_name}", prefix="adhoc_")
            return _stage(con, path, name, None, table, workdir, [], [])
        warnings = check_header(header, contract, f"{name} (sheet {sheet_name})")
        names = _normalised_header(header, name)
        text = frame.map(_cell_text)
        text.columns = names
        text.insert(0, "_rec", range(2, len(text) + 2))
        con.register("frame_view", text)
        con.execute("CREATE TABLE raw AS SELECT * FROM frame_view")
        present = [c for c in contract.names if c in names]
        _check_rows(con, contract, present)
        bad = con.execute("SELECT _rec, _reason FROM checked WHERE _reason <> '' ORDER BY _rec").fetchall()
        raws = _raw_text(con, present, [r for r, _ in bad])
        rejects = [Reject(int(rec), reason, raws.get(int(rec), "")) for rec, reason in bad]
        return _stage(con, path, name, contract, contract.table, workdir, rejects, warnings)
    finally:
        con.close()


def adhoc_names(header: list) -> list[str]:
    """Safe, unique column names for an ad-hoc table made from a user's header."""
    names: list[str] = []
    for col in header:
        base = name = safe_identifier(str(col))
        n = 2
        while name in names or name in _INTERNAL:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _adhoc_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """An ad-hoc sheet with safe, unique column names and no mixed-type columns."""
    out = frame.infer_objects()
    out.columns = adhoc_names(list(out.columns))
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_cell_text)
    return out


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV would hold (None when empty)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- Parquet -------------------------------------------------------------------------------
def parse_parquet(
    path: Path, contract: Contract | None, workdir: Path, label: str | None = None
) -> ParsedFile:
    """Read a Parquet file against `contract` (None: detect it, or load as ad hoc) and stage it.

    Typed columns are checked with the same rules as CSV cells (required, whole numbers, allowed
    values, minimums); text columns exactly as CSV text. A reject's line is the row number in
    the file (1 = first row). Checking and staging stream through the file without loading it.
    """
    name = label or path.name
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        src = f"read_parquet({_sql_str(str(path))}, file_row_number = true)"
        try:
            schema = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"{name}: cannot be read as Parquet: {_one_line(exc)}") from None
        columns = [(r[0], r[1]) for r in schema if r[0] != "file_row_number"]
        header = [c for c, _ in columns]
        if contract is None:
            contract, _missing = contracts.detect(header)
        if contract is None:
            names = adhoc_names(header)
            pairs = zip(header, names, strict=True)
            select = ", ".join(f"{quote_ident(o)} AS {quote_ident(n)}" for o, n in pairs)
            con.execute(f"CREATE VIEW checked AS SELECT {select}, '' AS _reason FROM {src}")
            table = safe_identifier(Path(name).stem, prefix="adhoc_")
            return _stage(con, path, name, None, table, workdir, [], [])
        warnings = check_header(header, contract, name)
        names = _normalised_header(header, name)
        kinds = {n: kind for n, (_o, kind) in zip(names, columns, strict=True)}
        present = [c for c in contract.names if c in names]
        native = {c: kinds[c] for c in present if kinds[c] != "VARCHAR"}
        for col_name, kind in native.items():
            try:
                _native_expr(contract.column(col_name), "x", kind)
            except TypeError:
                raise InputError(f"{name}: column {col_name} is {kind} in the Parquet file; "
                                 f"expected {contract.column(col_name).type}") from None
        select = ", ".join(f"{quote_ident(o)} AS {quote_ident(n)}"
                           for o, n in zip(header, names, strict=True) if n in present)
        con.execute(f"CREATE VIEW raw AS SELECT file_row_number + 1 AS _rec, {select} FROM {src}")
        _check_rows(con, contract, present, "raw", native, create="VIEW")
        if _stores_as_is(contract, header, names, present, native, con):
            return ParsedFile(
                path=path, file_name=name, sha256=file_sha256(path), contract=contract, table=contract.table,
                staged=path, rows=int(con.execute("SELECT count(*) FROM raw").fetchone()[0]),
                columns=present, warnings=warnings,
            )
        parsed = _stage(con, path, name, contract, contract.table, workdir, [], warnings)
        total = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(str(path))})").fetchone()[0]
        if total != parsed.rows:  # only then look for the rows that broke a rule
            bad = con.execute(
                "SELECT _rec, _reason FROM checked WHERE _reason <> '' ORDER BY _rec"
            ).fetchall()
            raws = _raw_text(con, present, [int(r) for r, _ in bad])
            parsed.rejects = [Reject(int(rec), reason, raws.get(int(rec), "")) for rec, reason in bad]
        return parsed
    except duckdb.Error as exc:
        raise InputError(f"{name}: cannot be read as Parquet: {_one_line(exc)}") from None
    finally:
        con.close()


def _stores_as_is(contract: Contract, header: list[str], names: list[str], present: list[str],
                  native: dict[str, str], con: duckdb.DuckDBPyConnection) -> bool:
    """True when a Parquet file can be inserted as it is: contract names and store-compatible types
    only, no row breaking a rule and no text to trim or lower-case.

    Columns with a fixed list are judged on their distinct values, free text on blanks and padding,
    typed columns in one pass; any doubt sends the file through the row-by-row check and a typed copy.
    """
    if header != names or set(names) != set(present):
        return False
    family = {"timestamp": _TIMES - {"TIMESTAMP WITH TIME ZONE", "DATE"}, "int": _INTEGERS}
    for col_name, kind in native.items():
        col = contract.column(col_name)
        if col.type == "string" or (col.type in family and kind not in family[col.type]):
            return False
        if col.type == "bool" and kind != "BOOLEAN":
            return False
    texts = [contract.column(c) for c in present if c not in native]
    if any(col.type != "string" for col in texts):
        return False  # times or numbers as text: they need typing
    padded = []
    for col in texts:
        ref = quote_ident(col.name)
        if col.allowed:  # few distinct values: judge each once
            conds = " OR ".join([cond for cond, _ in _rules(col, "v", "t")] + ["v IS DISTINCT FROM t"])
            bad = con.execute(
                f"WITH d AS MATERIALIZED (SELECT DISTINCT {ref} AS v FROM raw) "
                f"SELECT count(*) FROM (SELECT v, {_typed_expr(col, 'v')} AS t FROM d) WHERE {conds}"
            ).fetchone()[0]
            if bad:
                return False
        else:  # stored as given unless blank or padded (what trimming would change)
            blank = f"{ref} IS NULL OR " if col.required else ""
            padded.append(f"{blank}{ref} = '' OR starts_with({ref}, ' ') OR ends_with({ref}, ' ')")
    if padded and con.execute(f"SELECT count(*) FROM raw WHERE {' OR '.join(padded)}").fetchone()[0]:
        return False
    conds = []
    for col_name, kind in native.items():
        ref = quote_ident(col_name)
        col = contract.column(col_name)
        conds += [cond for cond, _ in _rules(col, ref, f"({_native_expr(col, ref, kind)})", text=False)]
    return not conds or con.execute(f"SELECT count(*) FROM raw WHERE {' OR '.join(conds)}").fetchone()[0] == 0


# -- entry point ---------------------------------------------------------------------------
def parse_file(
    path: Path, contract_name: str | None = None, workdir: Path | None = None,
    display_name: str | None = None,
) -> ParsedFile:
    """Parse a CSV, Excel or Parquet file into a staged Parquet (in `workdir`, default a new temp dir)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    contract = contracts.get(contract_name) if contract_name else None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="riskdesk-stage-"))
    suffix = path.suffix.lower()
    label = display_name or path.name
    if suffix in EXCEL_SUFFIXES:
        return parse_excel(path, contract, workdir, label)
    if suffix in PARQUET_SUFFIXES:
        return parse_parquet(path, contract, workdir, label)
    if suffix in CSV_SUFFIXES or not suffix:
        return parse_csv(path, contract, workdir, label)
    if suffix == ".xls":
        raise InputError(f"{label}: old .xls workbooks are not read; save it as .xlsx or CSV")
    raise InputError(f"{label}: unsupported file type {suffix!r}; expected CSV, .xlsx or Parquet")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

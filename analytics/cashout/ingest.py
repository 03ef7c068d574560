"""Reader of the raw audit-query export (the game server's event log, in pennies).

A CSV whose header has `type`, `balancechange` and `escrowchange` is such an export. Its rows are
mapped to cashout_events rows by the table in contracts/cashout_events.md ("The raw audit-query
export"), amounts kept in pennies (`unit = 'pennies'`). Rows that cannot be read are rejected with
their line numbers; CashOutFinish rows repeating a count are one cashout (the repeats are named
in the warnings, never dropped silently).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics import contracts, loaders
from analytics.contracts import SQL_TYPES
from analytics.errors import ContractError, InputError
from analytics.loaders import CSV_SUFFIXES, ParsedFile, Reject, quote_ident, read_header, utf8_copy

KIND = "cashout_raw"
UNIT = "pennies"
MARKERS = ("type", "balancechange", "escrowchange")
REQUIRED = ("time", "type", "balancechange", "escrowchange")
COLUMNS = (
    "time", "userid", "username", "deviceid", "type", "balancechange", "escrowchange",
    "prevbalance", "reason", "result", "opponentusername", "istransaction", "awardedprizetype",
    "usedpowerup", "inviterusername", "iserror", "count",
)
NUMBERS = ("balancechange", "escrowchange", "prevbalance")
_TRUE = "('true', 't', '1', 'yes', 'y')"


def matches(path: Path) -> bool:
    """True when `path` is a CSV whose header has type, balancechange and escrowchange."""
    path = Path(path)
    if path.suffix.lower() not in CSV_SUFFIXES or not path.is_file():
        return False
    try:
        header, _ = read_header(path)
    except (InputError, UnicodeDecodeError, OSError, StopIteration):
        return False
    cols = {contracts.normalise(h) for h in header}
    return all(m in cols for m in MARKERS)


def _typed_sql(present: set[str]) -> str:
    """SELECT typing every raw cell the mapping reads (missing optional columns are NULL)."""
    def cell(name: str) -> str:
        return f"NULLIF(trim({quote_ident(name)}), '')" if name in present else "NULL::VARCHAR"

    dec = SQL_TYPES["decimal"]
    numbers = ", ".join(f"TRY_CAST({cell(n)} AS {dec}) AS n_{n}, {cell(n)} AS t_{n}" for n in NUMBERS)
    return f"""
        SELECT _rec, {cell('time')} AS t_time,
               TRY_CAST({cell('time')} AS TIMESTAMPTZ)::TIMESTAMP AS event_time,
               {cell('userid')} AS raw_userid,
               coalesce({cell('userid')}, {cell('username')}) AS uid,
               coalesce({cell('username')}, {cell('userid')}) AS uname,
               {cell('deviceid')} AS device, {cell('type')} AS rtype, lower({cell('type')}) AS ltype,
               {numbers},
               lower({cell('reason')}) AS reason, lower({cell('result')}) AS result,
               {cell('opponentusername')} AS opponent,
               coalesce(lower({cell('istransaction')}) IN {_TRUE}, false) AS istx,
               lower({cell('awardedprizetype')}) AS prize, lower({cell('usedpowerup')}) AS powerup,
               {cell('inviterusername')} AS inviter,
               coalesce(lower({cell('iserror')}) IN {_TRUE}, false) AS iserr,
               {cell('count')} AS cnt
        FROM raw"""


_REASONS = """
    concat_ws('; ',
        CASE WHEN t_time IS NULL THEN 'time is empty' END,
        CASE WHEN t_time IS NOT NULL AND event_time IS NULL
             THEN 'time: ''' || left(t_time, 60) || ''' is not an ISO 8601 timestamp' END,
        CASE WHEN uid IS NULL THEN 'userid and username are both empty' END,
        CASE WHEN rtype IS NULL THEN 'type is empty' END,
        CASE WHEN t_balancechange IS NOT NULL AND n_balancechange IS NULL
             THEN 'balancechange: ''' || left(t_balancechange, 60) || ''' is not a number' END,
        CASE WHEN t_escrowchange IS NOT NULL AND n_escrowchange IS NULL
             THEN 'escrowchange: ''' || left(t_escrowchange, 60) || ''' is not a number' END,
        CASE WHEN t_prevbalance IS NOT NULL AND n_prevbalance IS NULL
             THEN 'prevbalance: ''' || left(t_prevbalance, 60) || ''' is not a number' END,
        CASE WHEN is_cashout AND t_prevbalance IS NULL THEN 'prevbalance is empty on a CashOutFinish row' END,
        CASE WHEN is_cashout AND cnt IS NULL THEN 'count is empty on a CashOutFinish row' END,
        CASE WHEN ltype = 'setinviter' AND inviter IS NULL AND cashing_players <> 1
             THEN 'SetInviter row without inviterusername, and the file has '
                  || cashing_players || ' players cashing out: the inviter is unknown' END
    )"""

_EVENT_TYPE = """
    CASE WHEN ltype = 'gameend' THEN 'game_end'
         WHEN ltype = 'acknowledgeresult' THEN 'matchup_end'
         WHEN ltype = 'claimspecialeventprize' AND istx THEN 'tournament_end'
         WHEN ltype = 'joinspecialevent' AND istx THEN 'tournament_entry'
         WHEN ltype = 'claimgoalreward' AND prize = 'tokens' THEN 'goal_claim'
         WHEN ltype = 'awarded' AND powerup = 'towerjump' THEN 'mega_spin'
         WHEN ltype = 'adminaddbalance' AND istx THEN 'admin_add_balance'
         WHEN ltype = 'setinviter' THEN 'invite_accepted'
         WHEN is_cashout THEN 'cashout'
         ELSE 'other' END"""

_MAP = f"""
    CREATE TABLE checked AS
    WITH pairs AS (  -- username -> user id, from rows that carry both
        SELECT uname, arg_max(uid, event_time) AS uid FROM typed
        WHERE raw_userid IS NOT NULL AND uname IS NOT NULL GROUP BY uname
    ),
    cashing AS (
        SELECT count(DISTINCT uid) AS players, any_value(uid) AS uid, any_value(uname) AS uname
        FROM typed WHERE ltype = 'cashoutfinish' AND NOT iserr AND uid IS NOT NULL
    ),
    flagged AS (
        SELECT t.*, t.ltype = 'cashoutfinish' AND NOT t.iserr AS is_cashout,
               c.players AS cashing_players, c.uid AS cashing_uid, c.uname AS cashing_uname,
               ip.uid AS inviter_uid, op.uid AS opponent_uid
        FROM typed AS t
        CROSS JOIN cashing AS c
        LEFT JOIN pairs AS ip ON ip.uname = t.inviter
        LEFT JOIN pairs AS op ON op.uname = t.opponent
    ),
    kept AS (  -- CashOutFinish rows repeating a player's count are one cashout: the first is kept
        SELECT * FROM flagged
        WHERE NOT is_cashout OR cnt IS NULL OR uid IS NULL
           OR _rec = (SELECT min(f2._rec) FROM flagged AS f2
                      WHERE f2.is_cashout AND f2.uid = flagged.uid AND f2.cnt = flagged.cnt)
    )
    SELECT _rec,
           event_time,
           CASE WHEN ltype = 'setinviter' THEN coalesce(inviter_uid, inviter, cashing_uid) ELSE uid END
               AS user_id,
           CASE WHEN ltype = 'setinviter' THEN coalesce(inviter, cashing_uname) ELSE uname END AS username,
           {_EVENT_TYPE} AS event_type,
           CAST(CASE WHEN ltype IN ('gameend', 'acknowledgeresult')
                     THEN coalesce(n_balancechange, 0) + coalesce(n_escrowchange, 0)
                     WHEN ltype = 'setinviter' THEN 0
                     WHEN is_cashout THEN n_prevbalance
                     ELSE coalesce(n_balancechange, 0) END AS {SQL_TYPES['decimal']}) AS amount,
           CASE WHEN ltype = 'gameend' AND reason IS NOT NULL THEN reason = 'win'
                WHEN ltype = 'acknowledgeresult' AND result IS NOT NULL THEN result = 'win'
                WHEN ltype = 'claimspecialeventprize' AND istx THEN TRUE END AS won,
           CASE WHEN ltype IN ('gameend', 'acknowledgeresult') THEN coalesce(opponent_uid, opponent)
                WHEN ltype = 'setinviter' THEN uid END AS counterparty_id,
           CASE WHEN ltype IN ('gameend', 'acknowledgeresult') THEN opponent END AS counterparty_name,
           CASE WHEN ltype <> 'setinviter' THEN device END AS device_id,
           CASE WHEN is_cashout THEN uid || '#' || cnt END AS cashout_id,
           '{UNIT}' AS unit,
           rtype AS raw_type,
           {_REASONS} AS _reason
    FROM kept"""

_REPEATS = """
    SELECT uid, cnt, list(_rec ORDER BY _rec) AS recs,
           count(DISTINCT coalesce(t_prevbalance, '')) AS amounts
    FROM typed
    WHERE ltype = 'cashoutfinish' AND NOT iserr AND uid IS NOT NULL AND cnt IS NOT NULL
    GROUP BY uid, cnt HAVING count(*) > 1 ORDER BY min(_rec)"""

_FAILED = """
    SELECT uid, cnt, _rec FROM typed
    WHERE ltype = 'cashoutfinish' AND iserr ORDER BY _rec"""


def _check_columns(names: list[str], label: str) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if "userid" not in names and "username" not in names:
        missing.append("userid (or username)")
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise ContractError(
            f"{label}: missing required column{plural} {', '.join(missing)} "
            "(raw audit-query export, see contracts/cashout_events.md)"
        )


def _notes(con: duckdb.DuckDBPyConnection, label: str, text_path: Path, delim: str, width: int) -> list[str]:
    """Warnings about CashOutFinish rows: repeats (one cashout) and failed ones (counted as other)."""
    repeats, failed = con.execute(_REPEATS).fetchall(), con.execute(_FAILED).fetchall()
    if not repeats and not failed:
        return []
    lines, _bad = loaders.record_lines(text_path, delim, width)

    def line(rec: int) -> str:
        return str(lines[rec - 1]) if rec - 1 < len(lines) else "?"

    notes = []
    for uid, cnt, recs, amounts in repeats:
        differ = "; they differ, the first is kept" if amounts > 1 else ""
        notes.append(
            f"{label}: CashOutFinish count {cnt} of {uid} appears {len(recs)} times "
            f"(lines {', '.join(line(r) for r in recs)}): one cashout, {uid}#{cnt}{differ}"
        )
    for uid, cnt, rec in failed:
        notes.append(
            f"{label}: CashOutFinish count {cnt} of {uid} (line {line(rec)}) has iserror=true: "
            "not a cashout, counted as other"
        )
    return notes


def parse(path: Path, workdir: Path, label: str) -> ParsedFile:
    """Read a raw audit-query export into staged cashout_events rows (pennies)."""
    path = Path(path)
    text_path, warnings = utf8_copy(path, workdir, label)
    header, delim = read_header(text_path, label)
    names = loaders._normalised_header(header, label)
    _check_columns(names, label)
    unused = sorted(set(names) - set(COLUMNS))
    if unused:
        warnings.append(f"{label}: columns not used by the audit: {', '.join(unused)}")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        src = loaders._read_csv_sql(text_path, delim, names, typed=False)
        con.execute(f"CREATE TABLE raw AS SELECT row_number() OVER () AS _rec, * FROM {src}")
        structural = loaders._structural_rejects(con)
        con.execute(f"CREATE TABLE typed AS {_typed_sql(set(names))}")
        con.execute(_MAP)
        bad = con.execute("SELECT _rec, _reason FROM checked WHERE _reason <> '' ORDER BY _rec").fetchall()
        warnings += _notes(con, label, text_path, delim, len(names))
        rejects: list[Reject] = []
        if bad or structural:
            rejects = loaders._locate(text_path, delim, len(names), structural, bad)
        parsed = loaders._stage(con, path, label, contracts.CASHOUT_EVENTS, "cashout_events", workdir,
                                rejects, warnings)
    except duckdb.Error as exc:
        raise InputError(f"{label}: cannot be read as a raw audit-query export: "
                         f"{str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
    parsed.kind = KIND
    return parsed

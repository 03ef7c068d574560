"""The CSV/Excel loaders: contract checks, typed values, rejected rows with their line numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import contracts, ingest
from analytics.errors import ContractError, InputError
from analytics.loaders import parse_file, safe_identifier
from tests.conftest import write

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def staged_rows(parsed) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{parsed.staged}')").fetchall()


def test_good_file_is_typed_and_complete(tmp_path: Path) -> None:
    path = write(tmp_path / "wrickmon_9192023.csv", HEADER
                 + "2023-09-19T14:02:11Z,u1,wrickmon,game_end,1.25,true,u2,d-7,\n"
                 + "2023-09-19 15:00:00+02:00,u1,wrickmon,cashout,25,,,d-7,c-981\n")
    parsed = parse_file(path)
    assert parsed.contract is contracts.CASHOUT_EVENTS
    assert parsed.rows == 2 and parsed.rejects == []
    first, second = staged_rows(parsed)
    assert first[:6] == (dt.datetime(2023, 9, 19, 14, 2, 11), "u1", "wrickmon", "game_end",
                         Decimal("1.25"), True)
    assert second[0] == dt.datetime(2023, 9, 19, 13, 0, 0)  # +02:00 converted to UTC
    assert second[5] is None and second[8] == "c-981"


def test_header_matched_case_insensitively_and_extra_columns_noted(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", " Event_Time ,USER_ID,Username,event_type,Amount,notes\n"
                 "2023-09-19T14:02:11Z,u1,a,game_end,1,hello\n")
    parsed = parse_file(path)
    assert parsed.rows == 1
    assert parsed.warnings == ["x.csv: extra columns kept out of the table: notes"]


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.csv", "event_time,user_id,username,event_type\n"
                 "2023-09-19T14:02:11Z,u1,a,game_end\n")
    with pytest.raises(ContractError, match=r"broken\.csv: missing required column amount"):
        parse_file(path, "cashout_events")
    # detection also takes it for a cashout file (4 of 5 required columns) and says what is missing
    with pytest.raises(ContractError, match=r"broken\.csv: missing required column amount"):
        parse_file(path)


def test_bad_rows_are_kept_with_line_numbers_and_reasons(tmp_path: Path) -> None:
    text = (HEADER
            + "2023-09-19T14:02:11Z,u1,a,game_end,1.5,true,,,\n"          # line 2 good
            + "2023-09-19T14:02:11Z,u2,b,game_end,abc,false,,,\n"         # line 3 bad amount
            + 'notatime,u3,c,game_end,2,1,,,\n'                           # line 4 bad time
            + '2023-09-19T14:02:11Z,"u4\nsecond line",d,game_end,3,1,,,\n'  # lines 5-6 good
            + "\n"                                                        # line 7 blank
            + "2023-09-19T14:02:11Z,,e,game_end,4,1,,,\n"                 # line 8 empty user
            + "2023-09-19T14:02:11Z,u6,f,game_end,5,1,,,,extra\n"         # line 9 too many
            + "2023-09-19T14:02:11Z,u7,g,game_end,6,maybe,,,\n"           # line 10 bad bool
            + "2023-09-19T14:02:11Z,u8,h,game_end,7,0,,,\n")              # line 11 good
    parsed = parse_file(write(tmp_path / "mixed.csv", text))
    assert parsed.rows == 3
    got = [(r.line, r.reason) for r in parsed.rejects]
    assert got[0] == (3, "amount: 'abc' is not a number")
    assert got[1] == (4, "event_time: 'notatime' is not an ISO 8601 timestamp")
    assert got[2] == (8, "user_id is empty")
    assert got[3][0] == 9 and "TOO MANY COLUMNS" in got[3][1]
    assert got[4] == (10, "won: 'maybe' is not true/false/1/0/yes/no")
    assert len(got) == 5
    assert parsed.rejects[0].raw == "2023-09-19T14:02:11Z,u2,b,game_end,abc,false,,,"
    assert sorted(r[1] for r in staged_rows(parsed)) == ["u1", "u4\nsecond line", "u8"]


def test_min_value_and_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path / "players.csv",
                 "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"
                 "P1,100,200,150,3,1.5\n"
                 "P2,-5,200,150,3,1.5\n"
                 "P3,100,200,150,2.5,1.5\n")
    parsed = parse_file(path)
    assert parsed.rows == 1
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (3, "total_deposited: -5 is below 0"),
        (4, "sessions: '2.5' is not a whole number"),
    ]
    events = write(tmp_path / "ev.csv", "distinct_id,event_time,event_name,platform,install_time\n"
                   "p1,2025-01-01T00:00:00Z,harvest,iOS,2025-01-01T00:00:00Z\n"
                   "p2,2025-01-01T00:00:00Z,harvest,windows,2025-01-01T00:00:00Z\n")
    parsed = parse_file(events)
    assert parsed.contract is contracts.GAME_EVENTS
    assert staged_rows(parsed)[0][3] == "ios"  # allowed values are stored lower-case
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (3, "platform: 'windows' is not one of ios/android/web")
    ]


def test_windows_1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "excel_export.csv", HEADER + "2023-09-19T14:02:11Z,u1,José,game_end,1,,,,\n",
                 encoding="cp1252")
    parsed = parse_file(path)
    assert parsed.rows == 1
    assert staged_rows(parsed)[0][2] == "José"
    assert any("not UTF-8" in w and "line 2" in w and "Windows-1252" in w for w in parsed.warnings)


def test_undecodable_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    raw = (HEADER + "2023-09-19T14:02:11Z,u1,a,game_end,1,,,,\n").encode() + b"x,\x81\x8d,\n"
    path = tmp_path / "garbage.csv"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=r"garbage\.csv: line 3: byte 0x81 is not UTF-8"):
        parse_file(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"image\.csv: not a text file"):
        parse_file(path)


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        parse_file(write(tmp_path / "empty.csv", ""))
    with pytest.raises(InputError, match=r"blank\.csv: the file is empty"):
        parse_file(write(tmp_path / "blank.csv", "\n\n  \n"))
    parsed = parse_file(write(tmp_path / "header.csv", HEADER))
    assert parsed.rows == 0 and parsed.rejects == []


def test_semicolon_delimited_file(tmp_path: Path) -> None:
    path = write(tmp_path / "semi.csv", HEADER.replace(",", ";")
                 + "2023-09-19T14:02:11Z;u1;a;game_end;1.5;true;;;\n")
    assert parse_file(path).rows == 1


def test_adhoc_csv_gets_a_safe_table_name(tmp_path: Path) -> None:
    path = write(tmp_path / "My Report (final); DROP TABLE x.csv", "Month,Spend ($),month\nJan,1,x\nFeb,2,y\n")
    parsed = parse_file(path)
    assert parsed.contract is None
    assert parsed.table == "adhoc_my_report_final_drop_table_x"
    assert parsed.rows == 2
    assert parsed.columns == ["month", "spend", "month_2"]
    assert staged_rows(parsed) == [("Jan", 1, "x"), ("Feb", 2, "y")]


def test_excel_contract_file_reports_sheet_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "player_id": ["P1", "P2", "P3"], "total_deposited": [100, 50, "lots"],
        "total_wagered": [200, 10, 5], "total_won": [150, 0, 1], "sessions": [3, 1, 1],
        "playtime_hours": [1.5, 0.2, 0.1],
    })
    path = tmp_path / "players.xlsx"
    frame.to_excel(path, index=False)
    parsed = parse_file(path)
    assert parsed.contract is contracts.PLAYERS
    assert parsed.rows == 2
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (4, "total_deposited: 'lots' is not a number")
    ]


def test_excel_adhoc_sheet(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    pd.DataFrame({"Month": ["Jan", "Feb"], "Spend ($)": [1.5, 2]}).to_excel(path, index=False)
    parsed = parse_file(path)
    assert parsed.table == "adhoc_budget_sheet1"
    assert parsed.columns == ["month", "spend"]
    assert parsed.rows == 2


def test_unsupported_and_damaged_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"report\.pdf: unsupported file type"):
        parse_file(write(tmp_path / "report.pdf", "%PDF"))
    with pytest.raises(InputError, match=r"fake\.xlsx: cannot be read as an Excel workbook"):
        parse_file(write(tmp_path / "fake.xlsx", "not a zip"))


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd", "etc_passwd"),
    ("Robert'); DROP TABLE players;--", "robert_drop_table_players"),
    ("2024 report", "t_2024_report"),
    ("ÜBER", "ber"),
    ("", "table"),
])
def test_safe_identifier(raw: str, expected: str) -> None:
    assert safe_identifier(raw) == expected


def test_loading_stores_rows_rejects_and_skips_same_content(tmp_path: Path, store, actor) -> None:
    good = write(tmp_path / "a.csv", HEADER + "2023-09-19T14:02:11Z,u1,a,game_end,1.5,true,,,\n"
                 "2023-09-19T14:02:11Z,u2,b,game_end,x,true,,,\n")
    copy = write(tmp_path / "copy_of_a.csv", good.read_text())
    bad = write(tmp_path / "bad.csv", "event_time,user_id,username,event_type\n")
    outcomes = ingest.load_files(store, [(good, "a.csv"), (bad, "bad.csv"), (copy, "copy.csv")], actor)
    assert [o.status for o in outcomes] == ["loaded", "failed", "duplicate"]
    assert outcomes[0].rows_loaded == 1 and outcomes[0].rows_rejected == 1
    assert "missing required column amount" in outcomes[1].error
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM cashout_events").fetchone()[0] == 1
        assert con.execute("SELECT line, reason FROM load_rejects").fetchall() == [
            (3, "amount: 'x' is not a number")]
        assert con.execute("SELECT file_name, rows_loaded, rows_rejected, loaded_by FROM loaded_files"
                           ).fetchall() == [("a.csv", 1, 1, "tester")]


def test_catalog_totals_leave_bookkeeping_out(tmp_path: Path, store, actor) -> None:
    from analytics import catalog

    a = write(tmp_path / "a.csv", HEADER + "2023-09-19T14:02:11Z,u1,a,game_end,1.5,true,,,\n"
              "2023-09-20T14:02:11Z,u1,a,game_end,2,true,,,\n" + "bad,u1,a,game_end,2,true,,,\n")
    b = write(tmp_path / "notes.csv", "x,y\n1,2\n2,3\n3,4\n")
    ingest.load_files(store, [(a, "a.csv"), (b, "notes.csv")], actor)
    overview = catalog.overview(store)
    events = overview.set_index("table").loc["cashout_events"]
    assert events["rows"] == 2
    assert str(events["first"]) == "2023-09-19 14:02:11" and str(events["last"]) == "2023-09-20 14:02:11"
    figures = catalog.totals(overview)
    assert figures["rows"] == 2 + 3 and figures["files"] == 2 and figures["tables_with_data"] == 2
    assert figures["tables"] == len(overview) - 2

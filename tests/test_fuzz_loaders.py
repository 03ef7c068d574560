"""Hostile input: random and mutated files fail only with the project's own clear error."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import InputError
from analytics.loaders import parse_file
from analytics.settings import sample_dir

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parse_or_clear_error(path: Path) -> None:
    """Parsing either works (rows + rejects account for the input) or raises InputError."""
    try:
        parsed = parse_file(path)
    except InputError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip()
        return
    assert parsed.rows >= 0 and all(r.reason for r in parsed.rejects)


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.csv"
    path.write_bytes(data)
    parse_or_clear_error(path)


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=11), max_size=20),
       sep=st.sampled_from([",", ";", "\t", "|"]))
def test_contract_header_with_random_cells(tmp_path_factory, rows: list[list[str]], sep: str) -> None:
    text = HEADER.replace(",", sep) + "\n".join(sep.join(r) for r in rows)
    path = tmp_path_factory.mktemp("fuzz") / "cells.csv"
    path.write_text(text, encoding="utf-8")
    parse_or_clear_error(path)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random damage of the kinds real files suffer."""
    kind = rng.randrange(7)
    pos = rng.randrange(max(len(data), 1))
    if kind == 0:
        return data[:pos]                                            # truncated
    if kind == 1:
        return data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1:]  # a flipped byte
    if kind == 2:
        return data[:pos] + b'"' + data[pos:]                        # a stray quote
    if kind == 3:
        return data[:pos] + b"\x00" * rng.randrange(1, 4) + data[pos:]   # NUL bytes
    if kind == 4:
        return b"\xef\xbb\xbf" + data                               # a BOM
    if kind == 5:
        return data[:pos] + b",,,\n" + data[pos:]                    # extra fields
    return data.replace(b"\n", b"\r\n")                              # other line endings


SAMPLES = sorted(p for p in sample_dir().rglob("*.csv") if p.stat().st_size < 300_000)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_mutated_sample_files(tmp_path: Path, sample: Path) -> None:
    rng = random.Random(sample.name)
    original = sample.read_bytes()[:60_000]
    for i in range(8):
        data = original
        for _ in range(rng.randrange(1, 4)):
            data = mutate(data, rng)
        path = tmp_path / f"m{i}_{sample.name}"
        path.write_bytes(data)
        parse_or_clear_error(path)


def test_mutated_excel_workbooks(tmp_path: Path) -> None:
    book = sample_dir() / "players" / "players.xlsx"
    rng = random.Random(7)
    original = book.read_bytes()
    for i in range(12):
        data = mutate(original, rng)
        path = tmp_path / f"m{i}.xlsx"
        path.write_bytes(data)
        parse_or_clear_error(path)

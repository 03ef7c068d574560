"""The manual fraudster list: a CSV with a `distinct_id` column (other columns ignored)."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from analytics.contracts import normalise
from analytics.errors import InputError
from analytics.loaders import read_header, utf8_copy


@dataclass
class ManualList:
    """The players of a manual list and the rows that could not be used (line, reason)."""

    file_name: str
    ids: list[str] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    duplicates: int = 0

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "file": self.file_name,
            "players": len(self.ids),
            "duplicates": self.duplicates,
            "rejected": self.rejects,
        }


def read(path: Path, label: str | None = None) -> ManualList:
    """Read a manual list; InputError naming the file when it has no distinct_id column."""

    path = Path(path)
    name = label or path.name
    if not path.is_file():
        raise InputError(f"{name}: no such file")
    with tempfile.TemporaryDirectory(prefix="riskdesk-manual-") as work:
        text_path, _warnings = utf8_copy(path, Path(work))
        header, delim = read_header(text_path)
        cols = [normalise(h) for h in header]
        if "distinct_id" not in cols:
            raise InputError(f"{name}: missing required column distinct_id (the manual fraudster list)")
        at = cols.index("distinct_id")
        out = ManualList(name)
        seen: set[str] = set()
        with open(text_path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delim)
            next(reader, None)
            line = reader.line_num
            for row in reader:
                start, line = line + 1, reader.line_num
                if not row or not any(cell.strip() for cell in row):
                    continue
                value = row[at].strip() if at < len(row) else ""
                if not value:
                    out.rejects.append({"line": start, "reason": "distinct_id is empty"})
                elif value in seen:
                    out.duplicates += 1
                else:
                    seen.add(value)
                    out.ids.append(value)
    return out

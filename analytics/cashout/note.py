"""The note liveops paste into the admin tool: one audit as a few lines of plain text."""

from __future__ import annotations

from collections.abc import Iterable

SOURCE_NAMES = {
    "game_end": "live games", "matchup_end": "matchups", "tournament_end": "tournaments",
    "goal_claim": "goals", "mega_spin": "mega spins", "admin_add_balance": "admin balance",
}
RULE = "-" * 72


def money(value: float | None, unit: str, per_game: bool = False) -> str:
    """An amount in its unit: pennies as whole numbers (per game: two decimals), currency two decimals."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if unit == "pennies" and not per_game else f"{value:,.2f}"


def pct(share: float | None) -> str:
    """A share as a percentage with one decimal."""
    return "n/a" if share is None else f"{share * 100:.1f}%"


def when(iso: str) -> str:
    """An ISO 8601 UTC time as 'YYYY-MM-DD HH:MM UTC'."""
    return f"{iso[:10]} {iso[11:16]} UTC"


def _value(v: float | int | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:g}" if isinstance(v, int) or float(v).is_integer() else f"{v:.4g}"


def note(audit: dict) -> str:
    """The note of one audit."""
    unit = audit.get("unit", "currency")
    in_unit = " pennies" if unit == "pennies" else ""
    k, rec, col, dev = (audit["key_numbers"], audit["reconciliation"], audit["collusion"],
                        audit["device_sharing"])
    codes = ", ".join(r["code"] for r in audit["reasons"]) or "no reason to hold it"
    lines = [
        f"Cashout {audit['cashout_id']} - {audit['username']} ({audit['user_id']}) - "
        f"{money(audit['amount'], unit)}{in_unit} on {when(audit['cashout_time'])}",
        f"Verdict: {audit['verdict'].upper()} ({codes})",
    ]
    lines += [f"  * {r['code']}: {r['message']} (value {_value(r['value'])}, "
              f"threshold {_value(r['threshold'])})" for r in audit["reasons"]]
    lines += [
        f"Window {when(audit['window_start'])} to {when(audit['cashout_time'])}: "
        f"{k['games_to_cashout']} games, winrate {pct(k['winrate'])}, "
        f"take per game {money(k['take_per_game'], unit, True)}",
        f"  live games {k['live_games']} (winrate {pct(k['live_winrate'])}, take "
        f"{money(k['live_take_per_game'], unit, True)}); matchups {k['matchups']} (winrate "
        f"{pct(k['matchup_winrate'])}, take {money(k['matchup_take_per_game'], unit, True)})",
        f"Audited value {money(rec['audited_value'], unit)} vs cashout {money(audit['amount'], unit)}"
        f"{in_unit} (discrepancy {pct(rec['discrepancy_share'])})",
        "Value sources: " + ", ".join(
            f"{SOURCE_NAMES[s]} {pct(share)} ({money(audit['value_totals'][s], unit)})"
            for s, share in sorted(audit["value_sources"].items(), key=lambda x: -x[1]) if share
        ) if any(audit["value_sources"].values()) else "Value sources: none",
        f"Invites: {k['invites']}; invited share {pct(col['invited_share'])}; related players: "
        f"{', '.join(col['related_players']) or 'none'}",
        "Top opponents: " + (", ".join(f"{o['id']} +{money(o['amount'], unit)}" for o in col["top_opponents"])
                             or "none won from"),
        f"Devices: {', '.join(dev['devices']) or 'none'}; other accounts on them: "
        f"{', '.join(dev['other_accounts']) or 'none'}",
    ]
    lines += [f"Warning: {w}" for w in audit.get("warnings", [])]
    source = f", file {audit['source_file']}" if audit.get("source_file") else ""
    lines.append(f"Audit {audit.get('audit_id', '?')} by {audit.get('auditor', '?')} at "
                 f"{when(audit['audited_at']) if audit.get('audited_at') else '?'}{source}")
    return "\n".join(lines)


def notes(audits: Iterable[dict], failed: Iterable[dict] = ()) -> str:
    """Several notes, separated by a rule, then the files that could not be audited."""
    parts = [note(a) for a in audits]
    failed = list(failed)
    if failed:
        parts.append("Not audited:\n" + "\n".join(f"  * {f['file']}: {f['error']}" for f in failed))
    return f"\n{RULE}\n".join(parts) if parts else "No audits."

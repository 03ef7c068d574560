"""Detectors measured against the labels: confusion matrix, precision, recall, F1 per account, and
how many hours after a drop's first inbound each detector flags it, next to when the bank blocked it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.mules import detectors
from analytics.mules.features import DetectorSettings, last_rows, load_rows, load_settings
from analytics.mules.runner import SimulationResult
from analytics.store import Store

HOUR = 3600
Progress = Callable[[float, str], None]


@dataclass
class Evaluation:
    """Everything the lab shows about the detectors on one run."""

    accounts: pd.DataFrame  # per account: label, features, flags, flag times, score
    metrics: pd.DataFrame  # per detector: tp, fp, fn, tn, precision, recall, f1
    timing: pd.DataFrame  # per flagged drop and detector: hours to flag, hours to the bank's block
    timing_summary: pd.DataFrame  # per detector: medians and how often the detector was first
    threshold: float  # the isolation forest's score threshold

    def bank_hours(self) -> pd.Series:
        """Hours from each blocked drop's first inbound to the bank's block."""
        drops = self.accounts[(self.accounts["is_drop"] == 1) & self.accounts["blocked_ts"].notna()]
        return (drops["blocked_ts"] - drops["first_in"]) / HOUR

    def best(self) -> pd.Series:
        """The detector with the highest F1 (ties: the first listed)."""
        return self.metrics.sort_values("f1", ascending=False, kind="stable").iloc[0]


def confusion(label: pd.Series, flagged: pd.Series) -> dict[str, float]:
    """tp, fp, fn, tn and precision, recall, F1 of 0/1 flags against 0/1 labels."""
    label, flagged = label.astype(bool), flagged.astype(bool)
    tp = int((label & flagged).sum())
    fp = int((~label & flagged).sum())
    fn = int((label & ~flagged).sum())
    tn = int((~label & ~flagged).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def timing_table(accounts: pd.DataFrame) -> pd.DataFrame:
    """One row per (flagged drop, detector): hours from its first inbound to the flag and to the block."""
    drops = accounts[accounts["is_drop"] == 1]
    out = []
    for name in detectors.DETECTORS:
        hit = drops[drops[f"{name}_at"].notna()]
        out.append(
            pd.DataFrame(
                {
                    "account_id": hit.index,
                    "drop_type": hit["drop_type"].to_numpy(),
                    "detector": name,
                    "hours_to_flag": (hit[f"{name}_at"] - hit["first_in"]).to_numpy(float) / HOUR,
                    "hours_to_block": (hit["blocked_ts"] - hit["first_in"]).to_numpy(float) / HOUR,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def timing_summary(timing: pd.DataFrame) -> pd.DataFrame:
    """Per detector: flagged drops, median hours to flag and to block, flagged first, median lead."""
    rows = []
    for name in detectors.DETECTORS:
        t = timing[timing["detector"] == name]
        blocked = t[t["hours_to_block"].notna()]
        first = (t["hours_to_block"].isna() | (t["hours_to_flag"] < t["hours_to_block"])).sum()
        rows.append(
            {
                "detector": name,
                "flagged_drops": len(t),
                "median_hours_to_flag": _median(t["hours_to_flag"]),
                "median_hours_to_block": _median(blocked["hours_to_block"]),
                "flagged_before_block": int(first),
                "share_before_block": float(first / len(t)) if len(t) else None,
                "median_lead_hours": _median(blocked["hours_to_block"] - blocked["hours_to_flag"]),
            }
        )
    return pd.DataFrame(rows)


def _median(values: pd.Series) -> float | None:
    """The median, None for no values."""
    return float(np.median(values)) if len(values) else None


def evaluate(
    source: Store | SimulationResult,
    run_id: str | None = None,
    settings: DetectorSettings | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Features, both detectors and their measures for a stored run (`run_id`) or an in-memory one."""
    settings = settings or load_settings()
    progress = progress or (lambda _f, _t: None)
    run_id = run_id or getattr(source, "run_id", None)
    progress(0.1, "Computing account features")
    rows, labels = load_rows(source, run_id, settings)
    progress(0.5, "Running the rules")
    rules = detectors.rule_flags(rows, settings.rules)
    progress(0.7, "Fitting the isolation forest")
    forest, score, threshold = detectors.forest_flags(rows, settings)
    accounts = labels.set_index("account_id").join(last_rows(rows).drop(columns=["txn_id"]), how="left")
    firsts = rows[rows["ok"] & (rows["direction"] == "in")].groupby("account_id")["ts"].min()
    accounts["first_in"] = firsts
    accounts["blocked_ts"] = (
        accounts["blocked_at"].astype("datetime64[s]").astype("int64").where(accounts["blocked_at"].notna())
    )
    accounts["score"] = score
    for flags in (rules, forest):
        accounts[f"{flags.name}_at"] = flags.flagged_at
        accounts[flags.name] = accounts[f"{flags.name}_at"].notna().astype(int)
    metrics = pd.DataFrame(
        [{"detector": name, **confusion(accounts["is_drop"], accounts[name])} for name in detectors.DETECTORS]
    )
    timing = timing_table(accounts)
    progress(1.0, "Done")
    return Evaluation(accounts, metrics, timing, timing_summary(timing), threshold)

"""Two detectors over the account features: transparent rules and an isolation-forest score.

Both are evaluated on every account's history as it grew: an account is flagged at the first of
its transactions after which the detector fires, so the flag time can be compared with the
bank's block. The rules' first line looks only at the account itself; its second line adds
links to accounts the first line flagged by then. The isolation forest is fitted, without
labels, on every account's whole-history features; its threshold is the score that flags the
configured share (`contamination`) of accounts, and such an account's flag time is the first
prefix of its history (of at least `min_operations` operations) that scores at the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from analytics.mules.features import MODEL_FEATURES, DetectorSettings, RuleSettings, add_links, last_rows

RULES, FOREST = "rules", "isolation_forest"
DETECTORS = (RULES, FOREST)


@dataclass
class Flags:
    """When each account was first flagged (epoch seconds; absent: never)."""

    name: str
    flagged_at: pd.Series  # index account_id


def rule_lines(rows: pd.DataFrame, rules: RuleSettings) -> tuple[np.ndarray, np.ndarray]:
    """Per row: does line 1 (the account alone) hold, does line 2 (with links) hold."""
    everyday = rows["everyday_share"].to_numpy() <= rules.max_everyday_share
    line1 = (
        (rows["fast_drains"].to_numpy() >= rules.min_fast_drains)
        & (rows["pass_through"].to_numpy() >= rules.min_pass_through)
        & everyday
        & (rows["counterparties"].to_numpy() >= rules.min_counterparties)
    )
    line2 = (
        (rows["flagged_links"].to_numpy() >= 1)
        & (rows["fast_drains"].to_numpy() >= rules.linked_fast_drains)
        & everyday
    )
    return line1, line2


def first_time(rows: pd.DataFrame, fired: np.ndarray) -> pd.Series:
    """The first time each account fired (accounts that never fired are left out)."""
    hits = rows.loc[fired, ["account_id", "ts"]]
    return hits.groupby("account_id", sort=True)["ts"].min()


def rule_flags(rows: pd.DataFrame, rules: RuleSettings) -> Flags:
    """Run the rules over every prefix; fills rows['flagged_links'] from line 1's flags."""
    line1, _ = rule_lines(rows, rules)
    add_links(rows, first_time(rows, line1))
    line1, line2 = rule_lines(rows, rules)
    return Flags(RULES, first_time(rows, line1 | line2))


def model_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Features as the forest sees them: counts and hours on a log scale, the pass-through capped at 2."""
    x = frame.loc[:, list(MODEL_FEATURES)].to_numpy(float).copy()
    for i, name in enumerate(MODEL_FEATURES):
        if name in (
            "drain_hours",
            "fast_drains",
            "counterparties",
            "declines",
            "flagged_links",
            "inbound_transfers",
        ):
            x[:, i] = np.log1p(x[:, i])
        elif name == "pass_through":
            x[:, i] = np.minimum(x[:, i], 2.0)
    return x


def forest_flags(rows: pd.DataFrame, settings: DetectorSettings) -> tuple[Flags, pd.Series, float]:
    """Fit on whole histories; flag at the first prefix scoring at or above the threshold."""
    accounts = last_rows(rows)
    cfg = settings.unsupervised
    if accounts.empty:  # a run without transactions: nothing to fit, nothing flagged
        return Flags(FOREST, pd.Series(dtype="int64")), pd.Series(dtype=float), float("nan")
    model = IsolationForest(
        n_estimators=cfg.n_estimators, contamination=cfg.contamination, random_state=cfg.random_state
    )
    model.fit(model_matrix(accounts))
    score = pd.Series(-model.score_samples(model_matrix(accounts)), index=accounts.index)
    threshold = float(np.quantile(score.to_numpy(), 1 - cfg.contamination))
    candidates = rows["account_id"].isin(score.index[score >= threshold]) & (
        rows["operations"] >= cfg.min_operations
    )
    prefixes = rows[candidates]
    prefix_score = -model.score_samples(model_matrix(prefixes)) if len(prefixes) else np.zeros(0)
    fired = np.zeros(len(rows), bool)
    fired[np.flatnonzero(candidates.to_numpy())] = prefix_score >= threshold
    return Flags(FOREST, first_time(rows, fired)), score, threshold

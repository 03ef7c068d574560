"""The detectors and their measures on the hand-made run, and the best detector on the default settings."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.mules import evaluation
from analytics.mules.configuration import load_drops
from analytics.mules.features import load_settings
from analytics.mules.runner import Runner
from tests.mules.handmade import A, B, C, D, handmade_run


@pytest.fixture(scope="module")
def result() -> evaluation.Evaluation:
    return evaluation.evaluate(handmade_run())


def test_rules_flag_the_drop_and_the_linked_client(result: evaluation.Evaluation) -> None:
    acc = result.accounts
    # A: line 1 holds after its crypto purchase at +11 h (2 fast drains, pass-through 1, everyday 0,
    # 3 counterparties). B: line 2 at its next row (+20 h): linked to A, one fast drain, everyday 10/610.
    # C has no fast drain; D (one batch) has one fast drain and 2 counterparties: line 1 needs 2 and 3.
    assert acc["rules"].to_dict() == {A: 1, B: 1, C: 0, D: 0}
    start = acc.loc[A, "first_in"]
    assert (acc.loc[A, "rules_at"] - start) / 3600 == 11
    assert (acc.loc[B, "rules_at"] - start) / 3600 == 20


def test_confusion_matrix_precision_recall_f1(result: evaluation.Evaluation) -> None:
    rules = result.metrics.set_index("detector").loc["rules"]
    # A true positive, B false positive, C true negative, D false negative
    assert (rules["tp"], rules["fp"], rules["fn"], rules["tn"]) == (1, 1, 1, 1)
    assert rules["precision"] == 0.5 and rules["recall"] == 0.5 and rules["f1"] == 0.5


def test_detection_time_against_the_bank(result: evaluation.Evaluation) -> None:
    t = result.timing[result.timing["detector"] == "rules"].set_index("account_id")
    # A: first inbound at T0; flagged at +11 h; the bank blocked it at +13 h
    assert t.loc[A, "hours_to_flag"] == 11 and t.loc[A, "hours_to_block"] == 13
    summary = result.timing_summary.set_index("detector").loc["rules"]
    assert summary["flagged_drops"] == 1 and summary["flagged_before_block"] == 1
    assert summary["median_hours_to_flag"] == 11 and summary["median_lead_hours"] == 2


def test_the_forest_flags_its_share_of_accounts(result: evaluation.Evaluation) -> None:
    settings = load_settings()
    short = settings.model_copy(update={"unsupervised": settings.unsupervised.model_copy(
        update={"min_operations": 1})})
    acc = evaluation.evaluate(handmade_run(), settings=short).accounts
    # contamination 0.1 of 4 accounts: the threshold is the 90th percentile of the 4 scores, which only
    # the highest score reaches
    assert acc["isolation_forest"].sum() == 1
    top = acc["score"].idxmax()
    assert acc.loc[top, "isolation_forest"] == 1
    assert acc.loc[top, "isolation_forest_at"] <= acc.loc[top, "ts"]  # flagged by its last row at the latest
    # with the default minimum of 5 operations, only A (7 operations) could be flagged at all
    default = result.accounts
    assert default["isolation_forest"].sum() == int(top == A)
    assert (acc["score"] == default["score"]).all()  # the same forest, only the flag time rule differs


def test_confusion_by_hand() -> None:
    label = pd.Series([1, 1, 1, 0, 0, 0, 0, 0])
    flags = pd.Series([1, 1, 0, 1, 0, 0, 0, 0])
    got = evaluation.confusion(label, flags)
    # tp 2, fp 1, fn 1, tn 4: precision 2/3, recall 2/3, F1 2/3
    assert (got["tp"], got["fp"], got["fn"], got["tn"]) == (2, 1, 1, 4)
    assert got["precision"] == pytest.approx(2 / 3) and got["f1"] == pytest.approx(2 / 3)
    assert evaluation.confusion(label, pd.Series([0] * 8))["f1"] == 0.0


def test_the_best_detector_reaches_f1_of_0_9_on_the_default_settings() -> None:
    run = Runner(load_drops()).run()
    ev = evaluation.evaluate(run)
    best = ev.best()
    assert best["detector"] == "rules"
    assert best["f1"] >= 0.9 and best["precision"] >= 0.9 and best["recall"] >= 0.9
    assert best["tp"] + best["fn"] == 230  # 150 distributors + 80 purchasers
    assert best["tp"] + best["fp"] + best["fn"] + best["tn"] == 2230
    summary = ev.timing_summary.set_index("detector").loc["rules"]
    assert summary["share_before_block"] > 0.9  # the rules flag almost every drop before the bank blocks it


def test_runs_without_drops_or_without_anyone_are_measured_as_zeros() -> None:
    from analytics.mules.configuration import with_overrides

    empty = evaluation.evaluate(Runner(with_overrides(load_drops(), distributors=0, purchasers=0,
                                                      legit_clients=0)).run())
    assert empty.metrics[["tp", "fp", "fn", "tn", "f1"]].to_numpy().sum() == 0
    assert empty.timing.empty and (empty.timing_summary["flagged_drops"] == 0).all()
    clients = evaluation.evaluate(Runner(with_overrides(load_drops(), distributors=0, purchasers=0,
                                                        legit_clients=5)).run())
    rules = clients.best()
    assert rules["tp"] + rules["fn"] == 0 and rules["recall"] == 0.0  # no drop to find: defined as 0

"""The Mule lab page under AppTest: a hand-made run's figures, one drop, detectors, generating a run."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from analytics.mules import runs
from tests.conftest import ROOT
from tests.mules.handmade import A, D, handmade_run
from tests.pages.test_pages import fresh_cache  # noqa: F401 - each test gets its own store

PAGE = str(ROOT / "pages" / "mule_lab.py")


def run_page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120).run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_an_empty_store_says_how_to_start(store) -> None:
    at = run_page()
    assert not at.exception
    assert "No run is stored yet" in at.info[0].value
    assert at.button(key="FormSubmitter:mule_generate-Generate") is not None


def test_a_stored_run_shows_its_figures_one_drop_and_the_detectors(store, actor) -> None:
    runs.save_run(store, handmade_run(), actor)
    at = run_page()
    assert not at.exception, at.exception
    shown = metrics(at)
    # the hand-made run: 14 rows; drops A and D; clients B and C; batches A 2 + D 1; only A blocked
    assert shown["Transactions"] == "14" and shown["Drops"] == "2" and shown["Ordinary clients"] == "2"
    assert shown["Drop batches"] == "3" and shown["Blocked drops"] == "1"
    # the first drop, A: in 1000 + 500, out 600 + 400 + 500; declined 100 out and the blocked inbound
    assert (shown["Batches"], shown["Received"], shown["Sent on"]) == ("2", "1,500.00", "1,500.00")
    assert (shown["Declined"], shown["Activity periods"], shown["Left on the account"]) == ("2", "1", "0.00")
    captions = [c.value for c in at.caption]
    assert "Blocked by the bank at 2025-01-01 15:00 UTC." in captions  # T0 02:00 + 13 h
    assert ("1 in-bank transfers sent by drops: 0 started another drop's life, the rest paid 1 ordinary "
            "clients.") in captions
    rules = at.table[0].value.loc["rules"]
    assert (rules["tp"], rules["fp"], rules["fn"], rules["tn"]) == (1, 1, 1, 1)
    assert (rules["precision"], rules["recall"], rules["f1"]) == ("0.500", "0.500", "0.500")
    timing = at.table[1].value.loc["rules"]
    assert timing["flagged drops"] == 1 and timing["median h to flag"] == "11.0"
    assert timing["median h to block"] == "13.0" and timing["flagged first"] == 1
    assert timing["median lead h"] == "2.0" and timing["share first"] == "1.000"
    assert f"7 transactions of {A}" in [e.label for e in at.expander]

    at.selectbox(key="mule_drop").set_value(D).run()
    shown = metrics(at)
    assert (shown["Batches"], shown["Received"], shown["Sent on"], shown["Declined"]) == (
        "1", "500.00", "500.00", "0")
    assert "Still active when the simulated window ends." in [c.value for c in at.caption]


def test_generating_from_the_form_stores_and_shows_the_run(store) -> None:
    at = run_page()
    at.number_input(key="mule_distributors").set_value(3)
    at.number_input(key="mule_purchasers").set_value(2)
    at.number_input(key="mule_legit").set_value(4)
    at.number_input(key="mule_seed").set_value(11)
    at.date_input(key="mule_end").set_value(dt.date(2025, 1, 8))
    at.button(key="FormSubmitter:mule_generate-Generate").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    stored = runs.list_runs(store)
    assert len(stored) == 1
    run = stored.iloc[0]
    assert (run["drops"], run["legit_clients"]) == (5, 4)
    assert at.success[0].value.startswith(f"Run {run['run_id']}: {run['transactions']:,} transactions, 5 drops")
    assert metrics(at)["Transactions"] == f"{run['transactions']:,}"
    assert at.selectbox(key="mule_run_pick").value == run["run_id"]


def test_shares_that_do_not_sum_to_one_are_refused_by_name(store) -> None:
    at = run_page()
    at.number_input(key="mule_distributor_split_transfers").set_value(0.5)
    at.button(key="FormSubmitter:mule_generate-Generate").click().run()
    assert not at.exception
    assert "distributor.scenarios: Value error, probabilities sum to 1.1, not 1" in at.error[0].value
    assert runs.list_runs(store).empty


def test_a_run_without_drops(store, actor) -> None:
    from analytics.mules.configuration import load_drops, with_overrides
    from analytics.mules.runner import Runner

    runs.save_run(store, Runner(with_overrides(load_drops(), distributors=0, purchasers=0,
                                               legit_clients=3)).run(), actor)
    at = run_page()
    assert not at.exception, at.exception
    assert metrics(at)["Drops"] == "0" and metrics(at)["Blocked drops"] == "0"
    assert "This run has no drops." in [i.value for i in at.info]
    assert ("0 in-bank transfers sent by drops: 0 started another drop's life, the rest paid 0 ordinary "
            "clients.") in [c.value for c in at.caption]

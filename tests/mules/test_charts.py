"""The lab's figures on the hand-made run: periods shaded, declines marked, nodes and cells as counted."""

from __future__ import annotations

from analytics.mules import charts, evaluation, lab, runs
from tests.mules.handmade import A, handmade_run


def test_life_chart_marks_periods_and_declines(store, actor) -> None:
    runs.save_run(store, handmade_run(), actor)
    life = lab.drop_life(runs.run_query(store, "account_transactions", "handmade", account_id=A))
    # balance after each of A's rows: 1000, 400, 0, 500, 0, 0 (declined 100), 0 (declined inbound)
    assert life["balance"].tolist() == [1000, 400, 0, 500, 0, 0, 0]
    spans = lab.periods(life)
    assert spans["operations"].tolist() == [7]
    fig = charts.life_chart(life, spans, A)
    assert len(fig.layout.shapes) == 1  # one activity period shaded
    traces = {t.name: t for t in fig.data}
    assert len(traces["inbound"].x) == 2 and len(traces["outbound"].x) == 3 and len(traces["declined"].x) == 2
    edges = runs.run_query(store, "transfer_edges", "handmade")
    net = charts.network_chart(edges)
    nodes = {t.name: list(t.text) for t in net.data if t.mode == "markers"}
    assert nodes == {"distributor": [A], "purchaser": [], "ordinary": ["A0000002"]}
    assert lab.network_summary(edges) == {"transfers": 1, "drop_to_drop": 0, "clients_paid": 1}


def test_confusion_and_timing_charts() -> None:
    ev = evaluation.evaluate(handmade_run())
    fig = charts.confusion_chart(ev.metrics.iloc[0])  # the rules' row
    assert [list(r) for r in fig.data[0].z] == [[1, 1], [1, 1]]  # tp fn / fp tn
    timing = charts.timing_chart(ev.timing, ev.bank_hours())
    assert list(timing.data[0].x).count("bank block") == 1  # A, the one blocked drop: 13 h
    assert 13.0 in list(timing.data[0].y)

"""Mule lab: generate labelled drop (money mule) data, follow one drop's life, measure detectors."""

import pandas as pd
import streamlit as st

from analytics.mules import charts, configuration, evaluation, lab, runs
from pages._ui import current_actor, get_store, guarded

CACHE = {"ttl": 600, "max_entries": 8, "show_spinner": False}
DIST_SCENARIOS = configuration.DISTRIBUTOR_SCENARIOS
PURCH_SCENARIOS = configuration.PURCHASER_SCENARIOS
TIMING_LABELS = {"flagged_drops": "flagged drops", "median_hours_to_flag": "median h to flag",
                 "median_hours_to_block": "median h to block", "flagged_before_block": "flagged first",
                 "share_before_block": "share first", "median_lead_hours": "median lead h"}


@st.cache_data(**CACHE)
def run_tables(db: str, run_id: str) -> dict[str, pd.DataFrame]:
    """The stored run's summaries (keyed by the database and the run; a run id fixes its content)."""
    store = get_store()
    return {name: runs.run_query(store, name, run_id)
            for name in ("drop_summary", "scenario_counts", "type_counts", "transfer_edges", "run_config")}


@st.cache_data(**CACHE)
def account_rows(db: str, run_id: str, account: str) -> pd.DataFrame:
    """One account's transactions in a stored run."""
    return runs.run_query(get_store(), "account_transactions", run_id, account_id=account)


@st.cache_data(**CACHE)
def detector_results(db: str, run_id: str) -> evaluation.Evaluation:
    """Features, detectors and measures of a stored run."""
    return evaluation.evaluate(get_store(), run_id)


st.title("Mule lab")
st.caption("Labelled money-mule (\"drop\") data from a reproducible simulator, and detectors measured on it. "
           "Contract: drops.md; every setting is in config/drops.yaml.")
store = get_store()
actor = current_actor()
db = str(store.path)

# -- generate ----------------------------------------------------------------------------------
base = None
with guarded("Reading config/drops.yaml"):
    base = configuration.load_drops()
if base is not None:
    with st.form("mule_generate"):
        st.subheader("Generate a run")
        c = st.columns(4) + st.columns([1, 1, 2])
        values: dict[str, object] = {
            "distributor.count": c[0].number_input("Distributors", 0, 100_000, base.distributor.count,
                                                   key="mule_distributors"),
            "purchaser.count": c[1].number_input("Purchasers", 0, 100_000, base.purchaser.count,
                                                 key="mule_purchasers"),
            "legit_clients": c[2].number_input("Ordinary clients", 0, 1_000_000, base.legit_clients,
                                               key="mule_legit"),
            "seed": c[3].number_input("Seed", 0, 2**31 - 1, base.seed, key="mule_seed"),
            "start": c[4].date_input("Start", pd.Timestamp(base.start).date(), key="mule_start"),
            "end": c[5].date_input("End (exclusive)", pd.Timestamp(base.end).date(), key="mule_end"),
        }
        with st.expander("Limits per activity period and per life"):
            for kind in ("distributor", "purchaser"):
                limits = base.kind(kind).limits
                cols = st.columns(4)
                for col, key in zip(cols, ("period_in", "period_out", "total_in", "total_out"), strict=True):
                    values[f"{kind}.limits.{key}"] = col.number_input(
                        f"{kind} {key}", 1, 10_000, getattr(limits, key), key=f"mule_{kind}_{key}")
        with st.expander("Scenario shares (each kind's shares sum to 1)"):
            for kind, names in (("distributor", DIST_SCENARIOS), ("purchaser", PURCH_SCENARIOS)):
                cols = st.columns(4)
                shares = {name: cols[i % 4].number_input(f"{kind} {name}", 0.0, 1.0,
                                                          float(base.kind(kind).scenarios[name]), step=0.05,
                                                          key=f"mule_{kind}_{name}")
                          for i, name in enumerate(names)}
                values[f"{kind}.scenarios"] = shares
        generate = st.form_submit_button("Generate", type="primary")
    if generate:
        with guarded("Generating"):
            cfg = lab.settings_from_form(base, values)
            bar = st.progress(0.0, text="Simulating…")
            result = lab.generate(store, cfg, actor, progress=lambda f, t: bar.progress(min(f, 1.0), text=t))
            bar.empty()
            st.session_state["mule_run_pick"] = result.run_id  # show the new run (set before its widget)
            st.success(f"Run {result.run_id}: {result.transactions.num_rows:,} transactions, "
                       f"{result.drops:,} drops, {result.legit_clients:,} ordinary clients.")

# -- which run ---------------------------------------------------------------------------------
stored = pd.DataFrame()
with guarded("Reading the stored runs"):
    stored = runs.list_runs(store)
if stored.empty:
    st.info("No run is stored yet: generate one above (or run `python -m analytics init-db` for the sample).")
    st.stop()
by_id = stored.set_index("run_id")
run_id = st.selectbox("Run", by_id.index.tolist(), key="mule_run_pick",
                      format_func=lambda r: f"{r} · {int(by_id.loc[r, 'transactions']):,} transactions · "
                                            f"by {by_id.loc[r, 'created_by']}")
tables = run_tables(db, run_id)
drops = tables["drop_summary"]
figures = lab.overview(drops, tables["run_config"].iloc[0])
cols = st.columns(5)
cols[0].metric("Transactions", f"{figures['transactions']:,}")
cols[1].metric("Drops", f"{figures['drops']:,}")
cols[2].metric("Ordinary clients", f"{figures['ordinary_clients']:,}")
cols[3].metric("Drop batches", f"{figures['batches']:,}", help="approved inbound transfers to drops")
cols[4].metric("Blocked drops", f"{figures['blocked_drops']:,}", help="drops the bank blocked in the window")
left, right = st.columns(2)
left.plotly_chart(charts.scenario_chart(tables["scenario_counts"]), width="stretch")
right.plotly_chart(charts.type_chart(tables["type_counts"]), width="stretch")

# -- one drop ----------------------------------------------------------------------------------
st.subheader("One drop's life")
if drops.empty:
    st.info("This run has no drops.")
else:
    labels = {row["account_id"]: lab.drop_label(row) for row in drops.to_dict("records")}
    account = st.selectbox("Drop", list(labels), format_func=labels.get, key="mule_drop")
    life = lab.drop_life(account_rows(db, run_id, account))
    summary = lab.life_summary(life)
    cols = st.columns(3) + st.columns(3)
    cols[0].metric("Batches", summary["batches"])
    cols[1].metric("Received", f"{summary['received']:,.2f}")
    cols[2].metric("Sent on", f"{summary['sent']:,.2f}")
    cols[3].metric("Declined", summary["declines"])
    cols[4].metric("Activity periods", summary["periods"])
    cols[5].metric("Left on the account", f"{summary['left']:,.2f}")
    blocked = drops.set_index("account_id").loc[account, "blocked_at"]
    st.caption(f"Blocked by the bank at {blocked:%Y-%m-%d %H:%M} UTC." if pd.notna(blocked)
               else "Still active when the simulated window ends.")
    st.plotly_chart(charts.life_chart(life, lab.periods(life), account), width="stretch")
    with st.expander(f"{len(life)} transactions of {account}"):
        st.dataframe(life, hide_index=True, width="stretch")

# -- network -----------------------------------------------------------------------------------
st.subheader("Transfer network")
edges = tables["transfer_edges"]
net = lab.network_summary(edges)
st.caption(f"{net['transfers']:,} in-bank transfers sent by drops: {net['drop_to_drop']:,} started another "
           f"drop's life, the rest paid {net['clients_paid']:,} ordinary clients.")
st.plotly_chart(charts.network_chart(edges), width="stretch")

# -- detectors ---------------------------------------------------------------------------------
st.subheader("Detectors")
st.caption("Rules (config/mule_detectors.yaml) and an isolation forest over account features, measured "
           "against the labels per account; times count from a drop's first inbound transfer.")
result = None
with guarded("Running the detectors"), st.spinner("Computing features and running the detectors…"):
    result = detector_results(db, run_id)
if result is not None:
    shown = result.metrics.copy()
    for col in ("precision", "recall", "f1"):
        shown[col] = shown[col].map(lambda v: f"{v:.3f}")
    st.table(shown.set_index("detector"))
    best = result.best()
    st.caption(f"Best: {best['detector']} with F1 {best['f1']:.3f} (precision {best['precision']:.3f}, "
               f"recall {best['recall']:.3f}).")
    cols = st.columns(len(result.metrics))
    for col, (_, row) in zip(cols, result.metrics.iterrows(), strict=True):
        col.plotly_chart(charts.confusion_chart(row), width="stretch")
    st.plotly_chart(charts.timing_chart(result.timing, result.bank_hours()), width="stretch")
    timing = result.timing_summary.copy()
    for col, fmt in (("median_hours_to_flag", "{:.1f}"), ("median_hours_to_block", "{:.1f}"),
                     ("median_lead_hours", "{:.1f}"), ("share_before_block", "{:.3f}")):
        timing[col] = timing[col].map(lambda v, f=fmt: "" if pd.isna(v) else f.format(v))
    st.table(timing.set_index("detector").rename(columns=TIMING_LABELS))
    st.caption("Hours count from a drop's first inbound transfer; the lead is the bank's block time minus "
               "the flag time, over flagged drops the bank blocked; flagged first counts drops flagged "
               "before the block or never blocked.")

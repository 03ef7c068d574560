"""Overdraft monitor: Lambda logs in, subscribers drifting into overdraft out."""

from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.identity import mask, mask_columns
from analytics.overdraft import alerts, charts, importer, trends, view
from analytics.overdraft import settings as ws_settings
from pages._ui import current_actor, get_store, guarded, saved_uploads

st.title("Overdraft monitor")
st.caption("Balance-sync Lambda logs: who is out of sync, and how long before they run into overdraft.")
store = get_store()
actor = current_actor()
cfg = ws_settings.load()


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _views(db: str, version: tuple, settings_json: str) -> dict:
    """Everything the page draws, read once per store version and settings."""
    del db, version, settings_json  # cache keys only
    return view.page_data(store, cfg)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _timeline(db: str, version: tuple, user_id: str) -> pd.DataFrame:
    """One subscriber's transactions."""
    del db, version
    return trends.user_timeline(store, user_id)


def _load(files: list[tuple[Path, str]]) -> None:
    bar = st.progress(0.0, text=f"Reading {len(files)} log file(s)…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / total, text=f"Read {done} of {total}: {name}")

    outcomes = importer.load_logs(store, files, actor, progress=progress, workers=1)
    bar.empty()
    rows = [{"file": o.file_name, "status": o.status, "transactions": o.rows_loaded,
             "malformed blocks": o.rows_rejected, "note": o.error or "; ".join(o.warnings)} for o in outcomes]
    st.session_state["overdraft_loaded"] = rows


# -- loading ---------------------------------------------------------------------------------
def _loading_section() -> None:
    """Uploads and a folder path; a table of what each file gave."""
    uploads = st.file_uploader("CloudWatch log exports (.log, .gz)", type=["log", "gz", "txt"],
                               accept_multiple_files=True, key="overdraft_uploads")
    seen: set = st.session_state.setdefault("overdraft_seen", set())
    new = [u for u in uploads or [] if u.file_id not in seen]
    if new:
        with guarded("Loading the logs"), saved_uploads(new) as saved:
            _load(saved)
            seen.update(u.file_id for u in new)
    folder = st.text_input("…or a folder on this machine", key="overdraft_folder",
                           placeholder="/data/cloudwatch/balance-sync")
    if st.button("Load folder", disabled=not folder.strip()):
        with guarded("Loading the folder"):
            found = importer.expand([Path(folder.strip()).expanduser()])
            if found:
                _load(found)
            else:
                st.warning("No log files (.log, .gz) in that folder.")
    if st.session_state.get("overdraft_loaded"):
        st.table(pd.DataFrame(st.session_state["overdraft_loaded"]))


if actor.can("logs.import"):
    with st.expander("Load log files", expanded=False, icon=":material/upload_file:"):
        _loading_section()
else:
    st.info("Loading logs and sending alerts need the auditor role; subscriber ids are masked for viewers.")

with guarded("Reading the logs"):
    version = trends.data_version(store)
    v = _views(str(store.path), version, cfg.model_dump_json())
    r = v["report"]

    # -- headline ----------------------------------------------------------------------------
    cols = st.columns(4)
    cols[0].metric("Transactions", f"{r['transactions']:,}",
                   help=f"{r['records']:,} log records in {r['files']} files")
    cols[1].metric("Overdraft rows", f"{r['overdraft_rows']:,}", help="transactions with payment balance < 0")
    cols[2].metric("Overdraft subscribers", f"{r['overdraft_users']:,}", help=f"of {r['users']:,}")
    cols[3].metric("At risk", f"{len(v['at_risk']):,}", help="latest transaction out of sync, balance >= 0")
    cols = st.columns(4)
    share = r["overdraft_rows_out_of_sync_share"]
    cols[0].metric("Overdraft rows out of sync", "n/a" if share is None else f"{share:.1%}")
    cols[1].metric("Out-of-sync subscribers", f"{r['out_of_sync_users']:,}")
    precision = r["out_of_sync_precision"]
    cols[2].metric("Out of sync → overdraft", "n/a" if precision is None else f"{precision:.1%}",
                   help="share of out-of-sync subscribers who reached overdraft (precision)")
    lead = r["median_lead_time_hours"]
    cols[3].metric("Median lead time", "n/a" if lead is None else f"{lead:.1f} h")
    if r["malformed"]:
        with st.expander(f"{len(r['malformed'])} malformed log block(s) skipped", icon=":material/warning:"):
            st.table(pd.DataFrame(r["malformed"]))

    # -- evidence ----------------------------------------------------------------------------
    st.subheader("Out of sync predicts overdraft")
    left, right = st.columns(2)
    left.plotly_chart(charts.evidence(v["evidence"]), width="stretch")
    right.plotly_chart(charts.lead_times(v["lead"]), width="stretch")

    # -- at risk -----------------------------------------------------------------------------
    at_risk = v["at_risk"]
    st.subheader("Subscribers at risk")
    st.caption(f"{len(at_risk)} subscribers at risk: latest transaction out of sync, payment balance "
               f"still >= 0. Days to overdraft = balance / average daily debit over the last "
               f"{cfg.at_risk.debit_window_days} days. Click a column to sort.")
    st.dataframe(mask_columns(at_risk, ["user_id"], actor), hide_index=True, width="stretch", column_config={
        "days_to_overdraft": st.column_config.NumberColumn("days to overdraft", format="%.1f"),
        "avg_daily_debit": st.column_config.NumberColumn("avg daily debit", format="%.2f"),
        "latest_at": st.column_config.DatetimeColumn("latest", format="YYYY-MM-DD HH:mm"),
        "out_of_sync_since": st.column_config.DatetimeColumn("out of sync since", format="YYYY-MM-DD HH:mm"),
    })
    if v["timeline_users"]:
        shown = mask if actor.masks_players else str
        user = st.selectbox("Balance timeline of", v["timeline_users"], key="overdraft_user",
                            format_func=shown, help="at-risk subscribers first, then the most out of sync")
        timeline = _timeline(str(store.path), version, user)
        st.plotly_chart(charts.balance_timeline(timeline, trends.out_of_sync_spans(timeline), shown(user)),
                        width="stretch")

    # -- orders ------------------------------------------------------------------------------
    st.subheader("Orders")
    st.plotly_chart(charts.daily_orders(v["daily"], v["holidays"]), width="stretch")
    st.caption(f"{v['spike_days']} spike day(s): orders at least {cfg.orders.spike_factor:g}× the median of "
               f"the {cfg.orders.spike_window_days} days before. Holidays from config/overdraft.yaml.")
    left, right = st.columns(2)
    left.plotly_chart(charts.daily_amount(v["amounts"]), width="stretch")
    right.plotly_chart(charts.currency_mix(v["currency"]), width="stretch")
    st.plotly_chart(charts.top_subscribers(mask_columns(v["top"], ["user_id"], actor)), width="stretch")

    # -- log health --------------------------------------------------------------------------
    st.subheader("Log health")
    left, right = st.columns(2)
    gaps = v["gaps"]
    left.plotly_chart(charts.gaps(gaps, v["gap_limit"]), width="stretch")
    left.caption(f"{v['unusual_gaps']} unusual gap(s) among {len(gaps)} silences of at least "
                 f"{cfg.parser.gap_min_seconds:g} s.")
    errors = v["errors"]
    right.plotly_chart(charts.errors_per_hour(errors), width="stretch")
    right.caption(f"{v['burst_hours']} burst hour(s).")

    # -- alerts ------------------------------------------------------------------------------
    st.subheader("Alerts")
    st.caption(f"Out of sync, and days to overdraft under {cfg.alerts.days_to_overdraft_limit:g}; "
               "each episode is alerted once (config/notify.yaml chooses file, Slack or SNS).")
    if st.button("Send new alerts", disabled=not actor.can("logs.import")):
        with guarded("Sending alerts"):
            sent = alerts.send_alerts(store, cfg, actor)
            st.success(f"{len(sent['sent'])} sent, {len(sent['skipped'])} sent before, "
                       f"{len(sent['failed'])} failed.")
            if sent["failed"]:
                st.table(pd.DataFrame(sent["failed"]))

"""Cashout audits: audit exports, the queue of audited cashouts, one cashout in detail, decisions."""

import json

import pandas as pd
import streamlit as st

from analytics.cashout import charts, review, runs
from analytics.cashout.note import SOURCE_NAMES, money, note, pct, when
from analytics.cashout.review import DECISIONS
from analytics.cashout.verdict import REASON_CODES, VERDICTS
from analytics.identity import mask_columns
from pages._ui import current_actor, get_store, guarded, md, saved_uploads

st.title("Cashout audits")
st.caption("May this player's cashout be paid? Every cashout gets a verdict with its reasons; "
           "liveops record approve / reject / escalate with a comment, kept forever.")
store = get_store()
actor = current_actor()

@st.cache_data(ttl=300, max_entries=64, show_spinner=False)
def load_queue(verdicts: tuple, reasons: tuple, dates: tuple, player: str, version: str) -> pd.DataFrame:
    """The filtered queue, cached per filters and per `version` of the stored audits and decisions."""
    since, until = (*dates, None, None)[:2]
    return review.queue(get_store(), list(verdicts), list(reasons), since, until, player)


# -- audit exports ---------------------------------------------------------------------------
with st.expander("Audit exports", icon=":material/upload_file:", expanded=True):
    st.caption("Drop one or many exports: liveops' CSVs (contracts/cashout_events.md) or raw audit-query "
               "exports (type, balancechange, escrowchange; amounts in pennies). Each cashout in them "
               "is audited; a file that fails shows why beside the others.")
    uploads = st.file_uploader("Exports (CSV)", type=["csv"], accept_multiple_files=True,
                               key="cashout_uploads", disabled=not actor.can("audit.run"))
    done: dict = st.session_state.setdefault("cashout_upload_results", {})
    new = [u for u in uploads or [] if u.file_id not in done]
    if new:
        with guarded("The audit"), saved_uploads(new) as saved:
            bar = st.progress(0.0, text=f"Auditing {len(saved)} file(s)…")

            def progress(n: int, total: int, name: str) -> None:
                bar.progress(n / max(total, 1), text=f"{n} of {total}: {name}")

            run = runs.audit_files(store, saved, actor, progress=progress)
            for upload, item in zip(new, run.files, strict=True):
                done[upload.file_id] = item
            bar.empty()
    for upload in uploads or []:
        item = done.get(upload.file_id)
        if item is None:
            continue
        if item.status == "failed":
            st.error(f"**{md(upload.name)}**: {md(item.error)}", icon=":material/error:")
            continue
        verdicts = ", ".join(f"{a['cashout_id']} {a['verdict']}" for a in item.audits)
        st.success(f"**{md(upload.name)}**: {len(item.audits)} cashout(s) audited: {md(verdicts)}",
                   icon=":material/task_alt:")
        for warning in item.warnings:
            st.caption(f"⚠ {md(warning)}")

# -- the queue -------------------------------------------------------------------------------
st.subheader("Queue")
c1, c2, c3, c4 = st.columns([2, 3, 2, 2])
f_verdicts = c1.multiselect("Verdict", VERDICTS, key="cashout_f_verdicts")
f_reasons = c2.multiselect("Reason", REASON_CODES, key="cashout_f_reasons")
f_dates = c3.date_input("Cashout date", value=(), key="cashout_f_dates")
f_player = c4.text_input("Player (id or name)", key="cashout_f_player")
frame = pd.DataFrame()
with guarded("Reading the queue"):
    frame = mask_columns(load_queue(tuple(f_verdicts), tuple(f_reasons), tuple(f_dates), f_player,
                                    review.data_version(store)), ["user_id", "username", "file_name"], actor)
    counts = review.summary(frame)
    m = st.columns(5)
    m[0].metric("Audits shown", f"{counts['audits']:,}")
    m[1].metric("Approved", f"{counts['approved']:,}")
    m[2].metric("Flagged", f"{counts['flagged']:,}")
    m[3].metric("Rejected", f"{counts['rejected']:,}")
    m[4].metric("Awaiting a decision", f"{counts['pending']:,}")
    st.dataframe(
        frame[["cashout_time", "cashout_id", "username", "user_id", "amount", "unit", "verdict", "reasons",
               "decision", "file_name", "audited_at"]] if len(frame) else frame,
        hide_index=True, width="stretch", height=260,
        column_config={"cashout_time": st.column_config.DatetimeColumn("cashout", format="YYYY-MM-DD HH:mm"),
                       "audited_at": st.column_config.DatetimeColumn("audited", format="YYYY-MM-DD HH:mm")},
    )

if frame.empty:
    st.info("No audited cashout matches. Drop exports above, or clear the filters.", icon=":material/info:")
    st.stop()

# -- one cashout in detail ------------------------------------------------------------------
ids = frame["audit_id"].tolist()
labels = {r["audit_id"]: review.label(r) for r in frame.to_dict("records")}
wanted = st.query_params.get("audit")
chosen = st.selectbox("Open an audit", ids, index=ids.index(wanted) if wanted in ids else 0,
                      format_func=lambda i: labels[i], key="cashout_open")
st.query_params["audit"] = chosen

with guarded("Showing the audit"):
    stored = review.get_audit(store, chosen)
    audit = review.for_actor(stored, actor)   # viewers: player ids as pseudonyms
    unit = audit["unit"]
    box = {"approved": st.success, "flagged": st.warning, "rejected": st.error}[audit["verdict"]]
    st.subheader(md(f"{audit['cashout_id']} · {audit['username']} ({audit['user_id']})"))
    box(f"**{audit['verdict'].upper()}** · " + (", ".join(r["code"] for r in audit["reasons"])
                                                 or "no reason to hold it"))
    if audit["reasons"]:
        st.table(pd.DataFrame(audit["reasons"]).set_index("code"))
    k, rec, col = audit["key_numbers"], audit["reconciliation"], audit["collusion"]
    m = st.columns(4)
    m[0].metric(f"Cashout ({unit})", money(audit["amount"], unit))
    m[1].metric(f"Audited value ({unit})", money(rec["audited_value"], unit))
    m[2].metric("Discrepancy", pct(rec["discrepancy_share"]))
    m[3].metric("Invited share", pct(col["invited_share"]))
    m = st.columns(4)
    m[0].metric("Games to cashout", f"{k['games_to_cashout']:,}")
    m[1].metric("Winrate", pct(k["winrate"]))
    m[2].metric(f"Take per game ({unit})", money(k["take_per_game"], unit, True))
    m[3].metric("Invites", f"{k['invites']:,}")
    st.caption(f"Window {when(audit['window_start'])} to {when(audit['cashout_time'])} · "
               f"live games {k['live_games']} (winrate {pct(k['live_winrate'])}) · matchups {k['matchups']} "
               f"(winrate {pct(k['matchup_winrate'])}) · file {md(audit.get('source_file'))}")
    for warning in audit["warnings"]:
        st.caption(f"⚠ {md(warning)}")

    left, right = st.columns(2)
    left.plotly_chart(charts.value_sources(audit), width="stretch")
    right.plotly_chart(charts.balance(review.window_events(store, stored), audit), width="stretch")
    left, right = st.columns(2)
    with left:
        st.markdown("**Related players and top opponents**")
        st.table(pd.DataFrame({
            "related players": [", ".join(col["related_players"]) or "none"],
            "top opponents (won)": [", ".join(f"{o['id']} +{money(o['amount'], unit)}"
                                              for o in col["top_opponents"]) or "none"],
        }))
        if col["top_opponents"]:
            st.plotly_chart(charts.opponents(audit), width="stretch")
    with right:
        devices = audit["device_sharing"]
        st.markdown(f"**Devices** {md(', '.join(devices['devices']) or 'none')} · other accounts: "
                    f"{md(', '.join(devices['other_accounts']) or 'none')}")
        pairs = mask_columns(review.device_accounts(store, devices["devices"]), ["user_id"], actor)
        st.plotly_chart(charts.device_graph(audit, pairs), width="stretch")
    st.caption("Value totals: " + ", ".join(f"{SOURCE_NAMES[s]} {money(v, unit)}"
                                            for s, v in audit["value_totals"].items()))

    st.markdown("**Note for the admin tool** (copy with the button at its top right)")
    public = {k: v for k, v in audit.items() if not k.startswith("_")}
    st.code(note(public), language=None)
    st.download_button("Download the audit (JSON)", json.dumps(public, indent=2, ensure_ascii=False),
                       file_name=f"audit_{audit['cashout_id']}.json", mime="application/json",
                       icon=":material/download:")

    st.markdown("**Decision**")
    flash = st.session_state.pop("cashout_flash", None)
    if flash:
        st.success(flash, icon=":material/gavel:")
    with st.form("cashout_decision", clear_on_submit=True):
        comment = st.text_area("Comment", max_chars=review.MAX_COMMENT, height=80)
        cols = st.columns(len(DECISIONS))
        pressed = {d: col.form_submit_button(d.capitalize(), disabled=not actor.can("audit.decide"),
                                             width="stretch") for d, col in zip(DECISIONS, cols, strict=True)}
    decision = next((d for d, hit in pressed.items() if hit), None)
    if decision:
        with guarded("Recording the decision"):
            row = review.record_decision(store, chosen, decision, comment, actor)
            st.session_state["cashout_flash"] = f"Recorded: {row['decision']} by {md(row['decided_by'])}"
            st.rerun()  # the queue above shows the decision too

    st.markdown("**History of this cashout** (audits and decisions, oldest first; nothing is overwritten)")
    st.table(review.history(store, audit["cashout_id"]).drop(columns=["audit_id"]))

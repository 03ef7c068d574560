"""Fraud cohort: run the daily pipeline, see who was flagged and why, test thresholds before saving."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics import ingest
from analytics.fraud import charts, manual, pipeline, send, settings, thresholds, views, whatif
from analytics.fraud.patterns import BY_NUMBER, FLAGS, PATTERNS
from pages._ui import current_actor, get_store, guarded, saved_uploads

st.title("Fraud cohort")
st.caption(
    "15 fraud patterns over the game events, the daily four-step pipeline, and why each player was flagged."
)
store, actor = get_store(), current_actor()


@st.cache_data(ttl=30, max_entries=20, show_spinner=False)
def cached_players(_store, run_id: str) -> pd.DataFrame:
    """A run's players (keyed by run id: a run never changes once finished)."""
    return views.run_players(_store, run_id)


def show_step(box, event: dict) -> None:
    """One line per step, updated while the pipeline runs."""
    icon = {
        "running": ":material/hourglass_top:",
        "done": ":green[:material/check_circle:]",
        "failed": ":red[:material/error:]",
    }[event["status"]]
    text = f"{icon} **{event['step']}** {event.get('name', '')}"
    if event.get("detail"):
        text += f" — {event['detail']}"
    if event["status"] == "done":
        text += f": {event['result'].get('rows', 0):,} rows"
    if event.get("error"):
        text += f": {views.md_text(event['error'])}"
    box.markdown(text)


# -- run the pipeline ------------------------------------------------------------------------
with st.expander("Run the pipeline", expanded=False, icon=":material/play_circle:"):
    st.caption(
        "Loads the game event files you drop (optional: the stored events are used either way), "
        "then runs the four steps over all stored events. Each step is logged; a failing step is "
        "alerted and the others still run."
    )
    with st.form("fraud_run"):
        uploads = st.file_uploader(
            "Game event files (CSV, Excel or Parquet)",
            accept_multiple_files=True,
            type=["csv", "tsv", "txt", "xlsx", "parquet"],
            key="fraud_events",
        )
        manual_upload = st.file_uploader(
            "Manual fraudster list (CSV with distinct_id)", type=["csv"], key="fraud_manual"
        )
        c1, c2 = st.columns(2)
        use_date = c1.checkbox("Run as of a date (UTC end of day)", key="fraud_use_date")
        as_of = c2.date_input("As of", value=dt.date.today(), key="fraud_as_of")
        run_clicked = st.form_submit_button("Run pipeline", type="primary")
    if run_clicked:
        with guarded("The pipeline"):
            ids = []
            if manual_upload is not None:
                with saved_uploads([manual_upload]) as saved:
                    ids = manual.read(saved[0][0], manual_upload.name).ids
            if uploads:
                with saved_uploads(uploads) as saved:
                    bar = st.progress(0.0, text="Loading event files…")
                    outcomes = ingest.load_files(
                        store,
                        saved,
                        actor,
                        contract="game_events",
                        progress=lambda d, n, name: bar.progress(d / n, text=f"Loaded {d} of {n}: {name}"),
                    )
                for o in outcomes:
                    if o.status == "failed":
                        st.error(views.md_text(f"{o.file_name}: {o.error}"))
                    else:
                        st.caption(
                            f"{o.file_name}: {o.rows_loaded:,} rows loaded, {o.rows_rejected:,} rejected"
                        )
            with st.status("Running the pipeline…", expanded=True) as status:
                boxes = {step: st.empty() for step, _name in pipeline.STEPS}
                outcome = pipeline.run(
                    store,
                    actor,
                    manual_ids=ids,
                    as_of=as_of if use_date else None,
                    progress=lambda e: show_step(boxes[e["step"]], e),
                )
                status.update(
                    label=f"Run {outcome.run_id[:8]}: "
                    + ("every step succeeded" if outcome.success else "a step failed (see above)"),
                    state="complete" if outcome.success else "error",
                    expanded=True,
                )

run = views.last_run(store)
if run is None:
    st.info("No pipeline run yet: load game events and run the pipeline above.", icon=":material/info:")
    st.stop()
players = cached_players(store, run["run_id"])
table = views.fraudsters(store)
cols = st.columns(4)
cols[0].metric("Potential fraudsters", f"{int(run['potential'] or 0):,}")
cols[1].metric("Offerwall progression cheaters", f"{int(run['offerwall'] or 0):,}")
cols[2].metric("Fraudsters (table)", f"{int(run['fraudsters'] or 0):,}")
cols[3].metric("New in the last run", f"{int(run['new_fraudsters'] or 0):,}")
st.caption(
    f"Last run {run['run_id']} by {run['run_by']} at {run['started_at']:%Y-%m-%d %H:%M} UTC · thresholds "
    f"v{run['threshold_version']} · {whatif.until_label(run['until_time'])} · {int(run['events'] or 0):,} "
    f"events · {'all steps succeeded' if run['success'] else 'a step FAILED'}"
)

tab_flags, tab_player, tab_whatif, tab_history = st.tabs(
    ["Flags & cohorts", "Player", "Test thresholds", "Runs"]
)

with tab_flags:
    st.plotly_chart(charts.flags_bar(views.flag_counts(players)), width="stretch")
    f1, f2, f3 = st.columns(3)
    chosen = f1.multiselect(
        "Pattern",
        [p.flag for p in PATTERNS],
        key="fraud_filter_flags",
        format_func=lambda f: f"{FLAGS.index(f) + 1}. {f}",
    )
    platforms = f2.multiselect("Platform", ["ios", "android", "web"], key="fraud_filter_platforms")
    dates = f3.date_input("Installed between", value=(), key="fraud_filter_dates")
    start, end = ((*dates, None, None))[:2] if isinstance(dates, tuple) else (dates, None)
    shown = views.filter_players(table, chosen, platforms, start, end)
    st.subheader(f"Fraudsters ({len(shown):,} of {len(table):,})")
    st.dataframe(shown, hide_index=True, width="stretch")
    potential = players[players["potential"].astype(bool)]
    shown_p = views.filter_players(potential, chosen, platforms, start, end)
    st.subheader(f"Potential fraudsters, last run ({len(shown_p):,} of {len(potential):,})")
    st.dataframe(shown_p.drop(columns=["run_id"]), hide_index=True, width="stretch")
    d1, d2, d3, d4 = st.columns(4)
    for box, name, label, mime in (
        (d1, "potential_fraudsters", "potential_fraudsters.csv", "text/csv"),
        (d2, "offer_wall_progression_cheaters", "offer_wall_…csv", "text/csv"),
        (d3, "fraudsters", "fraudsters.csv", "text/csv"),
        (d4, "cohort_export", "cohort.json", "application/json"),
    ):
        data = views.download(run, name)
        if data is not None:
            box.download_button(
                f"Download {label}", data, file_name=pipeline.FILES[name], mime=mime, key=f"fraud_dl_{name}"
            )
    cfg = settings.load()
    if cfg.cohort.endpoint and st.button(f"Send the cohort to {cfg.cohort.endpoint}", key="fraud_send"):
        with guarded("Sending the cohort"):
            sent = send.send(store, actor, run["run_id"], cfg)
            (st.success if sent["success"] else st.error)(
                f"Sent {sent['profiles']:,} of {sent['total_profiles']:,} profiles "
                f"in {sent['batches']} batch(es)" + (f": {sent['error']}" if sent["error"] else "")
            )

with tab_player:
    options = sorted(set(table["distinct_id"]) | set(players["distinct_id"]))
    pid = st.selectbox(
        "Player", options, index=None, placeholder="Choose a flagged player", key="fraud_player"
    )
    if pid:
        with guarded("Reading the player"):
            run_id, reasons = views.player_flags(store, pid)
            events = views.player_events(store, pid, run["until_time"])
            evidence = (
                pd.concat([r.evidence for r in reasons])
                if reasons
                else pd.DataFrame(columns=["event_time", "event_name"])
            )
            st.plotly_chart(charts.timeline(events, evidence), width="stretch")
            st.caption(
                f"{len(events):,} events (latest {views.EVENT_LIMIT:,} at most); "
                "red crosses triggered a flag."
            )
            if not reasons:
                st.info("No flag for this player in any run (on the cohort by the manual list).")
            for reason in reasons:
                label = f"{reason.number}. {reason.title} — {reason.flag}"
                with st.expander(label, expanded=True):
                    st.markdown(views.md_text(reason.sentence))
                    kept = (
                        f"first {len(reason.evidence)} of {reason.of_total}"
                        if reason.of_total > len(reason.evidence)
                        else f"{reason.of_total}"
                    )
                    st.caption(f"Evidence: {kept} triggering event(s), run {run_id}")
                    st.table(reason.evidence.drop(columns=["of_total"]).dropna(axis=1, how="all"))

with tab_whatif:
    cfg, live_version = thresholds.current(store, actor)
    candidate = cfg.thresholds()
    st.caption(
        f"Live thresholds: version {live_version}. Change a pattern below and preview who would enter "
        "or leave the cohorts compared with the last run; nothing is saved until you save."
    )
    number = st.selectbox(
        "Pattern",
        list(BY_NUMBER),
        key="fraud_wi_pattern",
        format_func=lambda n: f"{n}. {BY_NUMBER[n].title} ({BY_NUMBER[n].flag})",
    )
    pattern = BY_NUMBER[number]
    edits = candidate["patterns"][pattern.key]
    for fld in views.setting_fields(pattern.settings(cfg)):
        key = f"fraud_wi_{pattern.key}_{fld.name}"
        if fld.kind == "bool":
            edits[fld.name] = st.checkbox(fld.name, fld.value, key=key, help=fld.help)
        elif fld.kind in ("int", "float"):
            edits[fld.name] = st.number_input(fld.name, value=fld.value, key=key, help=fld.help)
        elif fld.kind == "list":
            edits[fld.name] = views.parse_list(
                st.text_input(fld.name, ", ".join(fld.value), key=key, help=fld.help)
            )
        elif fld.kind == "date":
            edits[fld.name] = st.date_input(fld.name, fld.value, key=key, help=fld.help).isoformat()
        else:
            edits[fld.name] = st.text_input(fld.name, fld.value, key=key, help=fld.help)
    if st.button("Preview against the last run", key="fraud_wi_preview", type="primary"):
        with guarded("The preview"):
            st.session_state["fraud_wi_result"] = whatif.preview(store, actor, candidate)
    result = st.session_state.get("fraud_wi_result")
    if result is not None:
        if not result.changes:
            st.info("These are the live thresholds: nothing would change.")
        st.markdown(
            "**Changes:** " + "; ".join(f"`{c['key']}` {c['old']} → {c['new']}" for c in result.changes)
        )
        m = st.columns(4)
        m[0].metric("Would enter potential", len(result.potential_enter))
        m[1].metric("Would leave potential", len(result.potential_leave))
        m[2].metric("Would enter final cohort", len(result.final_enter))
        m[3].metric("Would leave final cohort", len(result.final_leave))
        if result.events_since:
            st.warning(
                f"{result.events_since:,} events were loaded after the last run; they move the diff too."
            )
        moves = views.whatif_moves(result)
        if len(moves):
            st.table(moves)
        c_left, c_right = st.columns([3, 2])
        c_left.table(result.counts.set_index("pattern"))
        c_right.plotly_chart(charts.counts_compare(result.counts), width="stretch")
        note = st.text_input("Why (kept with the version)", key="fraud_wi_note")
        if result.changes and st.button("Save as a new version", key="fraud_wi_save"):
            with guarded("Saving the thresholds"):
                saved_version = thresholds.save(store, candidate, actor, note or None)
                st.session_state.pop("fraud_wi_result", None)
                st.success(f"Saved as version {saved_version}; the next run uses it.")
    st.subheader("Threshold versions")
    history = thresholds.history(store)
    st.dataframe(history, hide_index=True, width="stretch")
    r1, r2 = st.columns([1, 3])
    back_to = r1.selectbox(
        "Roll back to version", history["version"].tolist()[1:], index=None, key="fraud_rb"
    )
    if back_to and r2.button(f"Roll back to version {back_to}", key="fraud_rb_go"):
        with guarded("The rollback"):
            st.success(
                f"Version {thresholds.rollback(store, int(back_to), actor)} is live "
                f"(the thresholds of version {back_to})."
            )

with tab_history:
    all_runs = views.runs(store)
    st.dataframe(all_runs.drop(columns=["out_dir"]), hide_index=True, width="stretch")
    picked = st.selectbox("Audit log of run", all_runs["run_id"].tolist(), key="fraud_audit_run")
    if picked:
        st.table(views.audit_log(store, picked).set_index("step"))

"""Home: what is loaded, drag-and-drop loading of CSV/Excel files, and the read-only SQL box."""

import pandas as pd
import streamlit as st

from analytics import catalog, ingest, sqlbox
from pages._ui import current_actor, get_store, guarded, md, saved_uploads

actor = current_actor()  # first: nothing shows before sign-in
store = get_store()
st.title("Riskdesk")
st.caption("Cashout audits, overdraft monitoring, fraud cohorts, rewards and mule detection on one store.")

# -- what is loaded (filled in below, after this run's uploads are stored) ---------------
st.subheader("What is loaded")
overview_box = st.container()

# -- loading files -----------------------------------------------------------------------
st.subheader("Load files")
st.caption(
    "Drop one or many CSV or Excel files. Each is matched to a contract by its header and loaded "
    "into its table; any other CSV becomes an ad-hoc table you can query below. Rows that cannot "
    "be read are kept aside with their line numbers."
)
if not actor.can("data.upload"):
    st.info(f"Your role ({actor.role}) can look but not load files.", icon=":material/lock:")
else:
    uploads = st.file_uploader(
        "CSV or Excel files", type=["csv", "tsv", "txt", "xlsx", "xlsm", "log", "gz"],
        accept_multiple_files=True, key="home_uploads",
    )
    results: dict = st.session_state.setdefault("home_results", {})
    new = [u for u in uploads or [] if u.file_id not in results]
    if new:
        with guarded("Loading"), saved_uploads(new) as saved:
            bar = st.progress(0.0, text=f"Loading {len(saved)} file(s)…")

            def progress(done: int, total: int, name: str) -> None:
                bar.progress(done / total, text=f"Loaded {done} of {total}: {name}")

            outcomes = ingest.load_files(store, saved, actor, progress=progress)
            for upload, outcome in zip(new, outcomes, strict=True):
                results[upload.file_id] = outcome
            bar.empty()

    for upload in uploads or []:
        outcome = results.get(upload.file_id)
        if outcome is None:
            continue
        if outcome.status == "failed":
            st.error(f"**{md(outcome.file_name)}**: {md(outcome.error)}", icon=":material/error:")
            continue
        if outcome.status == "duplicate":
            st.info(f"**{md(outcome.file_name)}**: already loaded, nothing added.", icon=":material/info:")
            continue
        label = (f"{md(outcome.file_name)} → {md(outcome.table)}: {outcome.rows_loaded:,} rows loaded, "
                 f"{outcome.rows_rejected:,} rejected")
        with st.expander(label, expanded=True, icon=":material/task_alt:"):
            st.markdown(f"**{outcome.rows_loaded:,}** rows loaded · **{outcome.rows_rejected:,}** rejected · "
                        f"contract `{outcome.contract}`")
            for note in outcome.warnings:
                st.warning(md(note))
            if outcome.preview is not None:
                st.dataframe(outcome.preview, hide_index=True, width="stretch")
            if outcome.rejects:
                st.markdown(f"Rejected rows ({outcome.rows_rejected:,}); they are kept in `load_rejects`")
                rejected = pd.DataFrame([r.__dict__ for r in outcome.rejects])
                if len(rejected) <= 10:
                    st.table(rejected.set_index("line"))
                else:
                    st.dataframe(rejected, hide_index=True, width="stretch")

# -- SQL box -----------------------------------------------------------------------------
st.subheader("SQL (read-only)")
st.caption("One SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN over the store. Nothing can write.")
if not actor.can("sql"):
    st.info("The SQL box is for admins.", icon=":material/lock:")
else:
    with st.form("sql_box"):
        query = st.text_area("Query", value=sqlbox.EXAMPLE_QUERY,
                             height=120)
        c1, c2, _ = st.columns([1, 1, 3])
        max_rows = c1.number_input("Row limit", 1, 100_000, sqlbox.DEFAULT_MAX_ROWS, step=1000)
        timeout = c2.number_input("Time limit (s)", 1.0, 60.0, sqlbox.DEFAULT_TIMEOUT)
        submitted = st.form_submit_button("Run", type="primary")
    if submitted:
        with guarded("The query"):
            answer = sqlbox.run_sql(store, query, actor, int(max_rows), float(timeout))
            frame = pd.DataFrame(answer["rows"], columns=[c["name"] for c in answer["columns"]])
            st.dataframe(frame, hide_index=True, width="stretch")
            more = " (truncated at the row limit)" if answer["truncated"] else ""
            st.caption(f"{answer['row_count']:,} rows{more} in {answer['elapsed_s']} s")

# -- recent files ------------------------------------------------------------------------
with st.expander("Recently loaded files"), guarded("Reading loaded files"):
    files = catalog.loaded_files(store, limit=50)
    st.dataframe(files.drop(columns=["file_id"]), hide_index=True, width="stretch")

with overview_box, guarded("Reading the store"):
    overview = catalog.overview(store)
    figures = catalog.totals(overview)
    cols = st.columns(3)
    cols[0].metric("Tables with data", f"{figures['tables_with_data']} of {figures['tables']}")
    cols[1].metric("Rows", f"{figures['rows']:,}")
    cols[2].metric("Files loaded", f"{figures['files']:,}")
    st.dataframe(
        overview[overview["rows"] > 0], hide_index=True, width="stretch",
        column_config={"first": st.column_config.DatetimeColumn("first", format="YYYY-MM-DD HH:mm"),
                       "last": st.column_config.DatetimeColumn("last", format="YYYY-MM-DD HH:mm")},
    )

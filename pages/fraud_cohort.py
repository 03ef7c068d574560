"""Fraud cohort: placeholder until its workspace lands (it says what it will hold, nothing more)."""

import streamlit as st

st.title("Fraud cohort")
st.info(
    "This workspace is not built yet. Here analysts see who was flagged by the 15 fraud patterns and "
    "why. It will hold the daily four-step pipeline with its run ids and audit log, the fraudsters "
    "table with each player's evidence, threshold what-ifs and the cohort export.",
    icon=":material/construction:",
)

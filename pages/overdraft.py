"""Overdraft monitor: placeholder until its workspace lands (it says what it will hold, nothing more)."""

import streamlit as st

st.title("Overdraft monitor")
st.info(
    "This workspace is not built yet. Here finance and support see which subscribers drift into "
    "overdraft. It will hold the parsed balance-sync Lambda logs, the evidence that out-of-sync "
    "predicts overdraft, the at-risk list with days to overdraft, order trends with holidays, the "
    "currency mix, top spenders, log gaps and error bursts, and alerts.",
    icon=":material/construction:",
)

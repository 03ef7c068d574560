"""Cashout audits: placeholder until its workspace lands (it says what it will hold, nothing more)."""

import streamlit as st

st.title("Cashout audits")
st.info(
    "This workspace is not built yet. Here liveops decide whether a player's cashout may be paid. It "
    "will hold the queue of audited cashouts (verdicts approved / flagged / rejected with their "
    "reasons), each cashout in detail (value sources, key numbers, collusion with invited players, "
    "device sharing), the note to paste into the admin tool, decisions with their history, and batch "
    "audits of exported files.",
    icon=":material/construction:",
)

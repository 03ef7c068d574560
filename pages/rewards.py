"""Rewards & ROI: placeholder until its workspace lands (it says what it will hold, nothing more)."""

import streamlit as st

st.title("Rewards & ROI")
st.info(
    "This workspace is not built yet. Here managers and operators run reward rules safely. It will "
    "hold player segments, the JSON reward rules with their versions, profit safety (expected value, "
    "ROI, caps), abuse scores, the wallet ledger, and what each rule costs and returns.",
    icon=":material/construction:",
)

"""Mule lab: placeholder until its workspace lands (it says what it will hold, nothing more)."""

import streamlit as st

st.title("Mule lab")
st.info(
    "This workspace is not built yet. Here fraud analysts design money-mule detectors on labelled "
    "data. It will hold the reproducible simulator of drop accounts with its settings, one drop's "
    "life in detail, the transfer network, and detectors measured against the labels.",
    icon=":material/construction:",
)

"""Riskdesk: the Streamlit entry point (page config and navigation only)."""

import streamlit as st

from pages._ui import sign_out_button

st.set_page_config(page_title="Riskdesk", page_icon=":material/shield:", layout="wide")

PAGES = {
    "Riskdesk": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Workspaces": [
        st.Page("pages/cashout_audits.py", title="Cashout audits", icon=":material/payments:"),
        st.Page("pages/overdraft.py", title="Overdraft monitor", icon=":material/account_balance_wallet:"),
        st.Page("pages/fraud_cohort.py", title="Fraud cohort", icon=":material/gpp_maybe:"),
        st.Page("pages/rewards.py", title="Rewards & ROI", icon=":material/redeem:"),
        st.Page("pages/mule_lab.py", title="Mule lab", icon=":material/hub:"),
    ],
}

sign_out_button()  # signs in first when sign-in is configured
st.navigation(PAGES).run()

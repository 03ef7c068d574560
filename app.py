"""Riskdesk: the Streamlit entry point (page config and navigation only)."""

import streamlit as st

from pages._ui import sign_out_button, signed_in, use_app_navigation

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

use_app_navigation()  # a first visit in Streamlit's old pages-folder mode reruns in this navigation
# The navigation comes before the sign-in form (hidden until someone signs in), so the page the
# link asked for (e.g. /cashout_audits?audit=...) is the one shown after signing in.
page = st.navigation(PAGES, position="sidebar" if signed_in() else "hidden")
sign_out_button()  # signs in first when sign-in is configured
page.run()

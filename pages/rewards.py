"""Rewards & ROI: segments, the rule editor with simulation, issued rewards, abuse, one player."""

import re

import pandas as pd
import streamlit as st

from analytics.errors import InputError
from analytics.rewards import charts, players, process, report, rule_store
from analytics.rewards.rules import dumps_definitions, parse_rules_text
from analytics.rewards.settings import load_config
from pages._ui import current_actor, get_store, guarded, saved_uploads

NEW_RULE = "(new rule)"
TEMPLATE = """{
  "rule_id": "MY_RULE",
  "name": "My rule",
  "priority": 50,
  "is_active": false,
  "conditions": {"segment": "LOSING", "net_loss_min": 100},
  "reward_config": {"type": "REWARD_POINTS", "formula": "net_loss * 0.05", "max_amount": 200}
}"""

st.title("Rewards & ROI")
st.caption(
    "Segments, reward rules with profit safety (expected value, ROI, caps), abuse checks and the wallet."
)
store, actor = get_store(), current_actor()


def plain(text: object) -> str:
    """Text shown as typed: markdown characters escaped (a formula's * or __ stay as they are)."""
    return re.sub(r"([\\`*_\[\]<>$~|#:])", r"\\\1", str(text))


def money(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.2f}"


def pct(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.1f} %"


@st.cache_data(ttl=300, max_entries=8, show_spinner="Evaluating the rules on every player…")
def evaluation(db: str, version: tuple) -> pd.DataFrame:
    """The stored active rules over every current player (cached per store content)."""
    cfg = load_config()
    rules, versions = rule_store.current_rules(get_store(), cfg.formula)
    return process.evaluate(get_store(), rules, cfg, actor, versions=versions).table


cfg = None
with guarded("Reading config/rewards.yaml"):
    cfg = load_config()
if cfg is None:
    st.stop()

with st.expander(
    "Import player exports (CSV, Excel) and transaction ledgers (CSV)", icon=":material/upload:"
):
    uploads = st.file_uploader(
        "Files", type=["csv", "xlsx", "xlsm"], accept_multiple_files=True, key="rw_uploads"
    )
    done: dict = st.session_state.setdefault("rw_loaded", {})
    new = [u for u in uploads or [] if u.file_id not in done]
    if new:
        with guarded("Loading"), saved_uploads(new) as saved:
            for upload, outcome in zip(new, players.import_files(store, saved, actor), strict=True):
                done[upload.file_id] = outcome
    for upload in uploads or []:
        outcome = done.get(upload.file_id)
        if outcome is None:
            continue
        if outcome.status == "failed":
            st.error(plain(f"{outcome.file_name}: {outcome.error}"))
        elif outcome.status == "duplicate":
            st.info(plain(f"{outcome.file_name}: already loaded, nothing added."))
        else:
            st.success(
                plain(
                    f"{outcome.file_name} → {outcome.table}: {outcome.rows_loaded:,} rows loaded, "
                    f"{outcome.rows_rejected:,} rejected"
                )
            )
            if outcome.rejects:
                st.table(pd.DataFrame([r.__dict__ for r in outcome.rejects[:20]]).set_index("line"))

table = pd.DataFrame()
with guarded("Evaluating the rules"):
    table = evaluation(str(store.path), report.store_version(store))

tab_seg, tab_rules, tab_issued, tab_abuse, tab_player = st.tabs(
    ["Segments", "Rules", "Issued rewards", "Abuse", "Player"]
)

with tab_seg:
    if table.empty:
        st.info("No players yet: import a player export above (or run `python -m analytics init-db`).")
    else:
        counts = report.segment_counts(table)
        cols = st.columns(len(counts))
        for col, row in zip(cols, counts.itertuples(), strict=True):
            col.metric(
                row.segment,
                f"{row.players:,}",
                f"{row.share:.0%} of players",
                delta_color="off",
                delta_arrow="off",
            )
        st.plotly_chart(charts.segment_bar(counts), width="stretch")
        now = report.simulation(table)
        st.caption(
            f"Under the active rules: {now['reached']:,} players matched, {now['approved']:,} approved, "
            f"cost {money(now['cost'])}, expected revenue {money(now['expected_revenue'])}."
        )

with tab_rules:
    stored = pd.DataFrame()
    with guarded("Reading the rules"):
        stored = rule_store.current_table(store)
    if not stored.empty:
        st.dataframe(rule_store.summary(stored), hide_index=True, width="stretch")
    choice = st.selectbox(
        "Rule to edit", [NEW_RULE, *stored.get("rule_id", pd.Series(dtype=str)).tolist()], key="rw_choice"
    )
    default = TEMPLATE
    if choice != NEW_RULE:
        with guarded("Reading the rule"):
            default = dumps_definitions(
                parse_rules_text(stored.loc[stored["rule_id"] == choice, "definition"].iloc[0], cfg.formula)
            )
    text = st.text_area("Rule (JSON)", value=default, height=300, key=f"rw_rule_{choice}")
    rule = None
    try:
        parsed = parse_rules_text(text, cfg.formula, "rule editor")
        if len(parsed) != 1:
            raise InputError("rule editor: edit one rule at a time (one JSON object)")
        rule = parsed[0]
        st.success(
            plain(
                f"Valid: {rule.rule_id}, priority {rule.priority}, {rule.reward_type}, "
                f"amount = min(max({rule.formula_text}, 0), {rule.max_amount:g})"
            ),
            icon=":material/check:",
        )
    except InputError as exc:
        st.error(plain(exc), icon=":material/error:")
    with_others = st.checkbox(
        "Simulate among the other active rules (priorities apply)", key="rw_with_others"
    )
    c1, c2, c3 = st.columns(3)
    if c1.button("Simulate on all players", type="primary", disabled=rule is None, key="rw_simulate"):
        with guarded("The simulation"):
            st.session_state["rw_sim"] = (
                rule.rule_id,
                process.simulate(store, rule, cfg, actor, with_others=with_others),
            )
    if c2.button("Save as a new version", disabled=rule is None, key="rw_save"):
        with guarded("Saving"):
            saved = rule_store.save_rules(store, [rule], actor)[0]
            st.toast(plain(f"{saved['rule_id']}: {saved['action']} (version {saved['version']})"))
            st.session_state.pop("rw_sim", None)
            st.rerun()
    if c3.button("Issue rewards now (active rules, all players)", key="rw_issue"):
        with guarded("Issuing"):
            rules, _ = rule_store.current_rules(store, cfg.formula)
            issued = process.run(store, rules, cfg, actor, issue=True).issued
            counts = issued["status"].value_counts().to_dict() if issued is not None else {}
            st.success(
                f"Issued {counts.get('issued', 0):,} rewards; {counts.get('duplicate', 0):,} already issued "
                f"before; {counts.get('daily_cap', 0) + counts.get('weekly_cap', 0):,} stopped by caps."
            )
    sim = st.session_state.get("rw_sim")
    if sim and rule is not None and sim[0] == rule.rule_id:
        result = sim[1]
        st.subheader(plain(f"Simulation of {sim[0]} on {result['players']:,} players"))
        m = st.columns(3)
        m[0].metric("Players reached", f"{result['reached']:,}")
        m[1].metric("Approved", f"{result['approved']:,}")
        m[2].metric("Players evaluated", f"{result['players']:,}")
        m = st.columns(3)
        m[0].metric("Total cost", money(result["cost"]))
        m[1].metric("Expected revenue", money(result["expected_revenue"]))
        m[2].metric("ROI", pct(result["roi_percent"]))
        if not result["by_segment"].empty:
            st.table(result["by_segment"].set_index("segment").round(2))
        if result["declined"]:
            st.caption(plain("Declined: " + ", ".join(f"{k} {v:,}" for k, v in result["declined"].items())))
    if choice != NEW_RULE:
        with st.expander(f"Versions of {choice}"), guarded("Reading the versions"):
            history = rule_store.history(store, choice)
            st.dataframe(history.drop(columns=["definition"]), hide_index=True, width="stretch")
            target = st.selectbox("Roll back to version", history["version"].tolist()[1:], key="rw_rollback")
            b1, b2 = st.columns(2)
            if target is not None and b1.button(f"Roll back to v{target}", key="rw_rollback_go"):
                rule_store.rollback(store, choice, int(target), actor, cfg.formula)
                st.rerun()
            active = bool(parse_rules_text(history["definition"].iloc[0], cfg.formula)[0].is_active)
            if b2.button("Deactivate" if active else "Activate", key="rw_toggle"):
                rule_store.set_active(store, choice, not active, actor)
                st.rerun()

with tab_issued, guarded("Reading issued rewards"):
    issued = report.issued(store)
    if issued.empty:
        st.info("No reward issued yet.")
    else:
        by_rule = report.issued_by(issued, "rule_id")
        totals = report.issued_totals(issued)
        m = st.columns(4)
        m[0].metric("Rewards issued", f"{totals['rewards']:,}")
        m[1].metric("Cost", money(totals["cost"]))
        m[2].metric("Expected revenue", money(totals["expected_revenue"]))
        m[3].metric("Expected ROI", pct(totals["roi_percent"]))
        st.plotly_chart(
            charts.cost_and_revenue(by_rule, "rule_id", "Issued rewards by rule"), width="stretch"
        )
        st.markdown("**By rule**")
        st.dataframe(by_rule.round(2), hide_index=True, width="stretch")
        st.markdown("**By segment**")
        st.dataframe(report.issued_by(issued, "segment").round(2), hide_index=True, width="stretch")
        st.markdown("**By rule and segment**")
        st.dataframe(issued.round(2), hide_index=True, width="stretch")

with tab_abuse:
    if not table.empty:
        actions = report.action_counts(table)
        m = st.columns(4)
        for col, name in zip(
            m, ["NO_ACTION", "REDUCED_REWARDS", "INCREASED_WAGERING", "BLOCKED"], strict=True
        ):
            col.metric(name, f"{actions.get(name, 0):,}")
        flagged = report.abuse_list(table)
        st.caption(f"{len(flagged):,} players carry at least one signal; BLOCKED players get no reward.")
        st.dataframe(flagged, hide_index=True, width="stretch")

with tab_player:
    pid = st.text_input("Player id", key="rw_player").strip()
    if pid:
        with guarded("Reading the player"):
            info = players.detail(store, pid, cfg, actor)
            if info is None:
                st.warning(plain(f"No player {pid!r} is stored."))
            else:
                m = st.columns(4)
                m[0].metric("Segment", info["segment"])
                m[1].metric(
                    "Tier",
                    info["tier"] or "–",
                    f"{info['loyalty_points_earned']:,.0f} points earned",
                    delta_color="off",
                    delta_arrow="off",
                )
                m[2].metric(
                    "Abuse score",
                    info["abuse"]["score"],
                    info["abuse"]["action"],
                    delta_color="off",
                    delta_arrow="off",
                )
                m[3].metric("Net result (net_pnl)", money(info["state"]["net_pnl"]))
                for line in [", ".join(info["abuse"]["signals"])] + info["abuse"]["evidence"]:
                    if line:
                        st.caption(plain(f"Abuse: {line}"))
                st.markdown("**State**")
                state = {**info["state"], "sessions": info["export"]["sessions"]}
                st.table(pd.DataFrame([state]).round(4))
                st.markdown("**Wallet**")
                st.table(pd.DataFrame([info["balances"]]).round(2))
                for entry in info["decision"]:
                    verdict = "approved" if entry["approved"] else f"declined ({entry['reason']})"
                    st.caption(
                        plain(f"Now: {entry['rule_id']} {entry['type']} {money(entry['amount'])} – {verdict}")
                    )
                st.markdown("**Bonuses**")
                st.dataframe(info["bonuses"], hide_index=True, width="stretch")
                st.markdown("**Rewards history**")
                st.dataframe(info["rewards"], hide_index=True, width="stretch")

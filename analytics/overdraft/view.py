"""Everything the Overdraft page shows, gathered in one call (the page only lays it out)."""

from __future__ import annotations

from typing import Any

from analytics.overdraft import figures, trends
from analytics.overdraft.settings import OverdraftSettings
from analytics.store import Store


def page_data(store: Store, cfg: OverdraftSettings) -> dict[str, Any]:
    """The report, the at-risk list, the evidence and every chart's data, with their counts."""
    daily, amounts = trends.daily_orders(store, cfg)
    gaps, gap_limit = trends.gaps(store, cfg)
    errors = trends.errors_per_hour(store, cfg)
    at_risk = figures.at_risk(store, cfg)
    subscribers = trends.subscribers(store)
    at_risk_ids = list(at_risk["user_id"])
    span = (daily["day"].min().date(), daily["day"].max().date()) if not daily.empty else None
    return {
        "report": figures.report(store),
        "at_risk": at_risk,
        "lead": figures.lead_times(store),
        "evidence": trends.evidence(store),
        "daily": daily,
        "amounts": amounts,
        "holidays": trends.holidays_between(cfg.holidays, *span) if span else [],
        "spike_days": int(daily["spike"].sum()) if not daily.empty else 0,
        "currency": trends.currency_mix(store, cfg),
        "top": trends.top_subscribers(store, cfg),
        "gaps": gaps,
        "gap_limit": gap_limit,
        "unusual_gaps": int(gaps["unusual"].sum()) if not gaps.empty else 0,
        "errors": errors,
        "burst_hours": int(errors.loc[errors["burst"], "hour"].nunique()) if not errors.empty else 0,
        # at-risk subscribers first, then the others, most out-of-sync transactions first
        "timeline_users": at_risk_ids + [u for u in subscribers["user_id"] if u not in set(at_risk_ids)],
    }

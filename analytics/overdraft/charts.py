"""Plotly figures of the overdraft monitor (pure: data in, figure out)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.overdraft.settings import Holiday

_STATE_COLOURS = {"in sync": "#4c78a8", "out of sync": "#e45756"}
_HEIGHT = 360


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, height=_HEIGHT, annotations=[
        {"text": "no data loaded", "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])
    return fig


def evidence(frame: pd.DataFrame) -> go.Figure:
    """Share of out-of-sync transactions among overdraft rows and among the others."""
    if frame.empty:
        return _empty("In sync versus overdraft")
    fig = px.bar(frame, x="group", y="share", color="state", text="transactions", barmode="stack",
                 color_discrete_map=_STATE_COLOURS, title="In sync versus overdraft",
                 labels={"share": "share of transactions", "group": ""})
    fig.update_layout(height=_HEIGHT, yaxis_tickformat=".0%", legend_title_text="")
    return fig


def lead_times(frame: pd.DataFrame) -> go.Figure:
    """Distribution of lead times (first out of sync to first overdraft), in hours."""
    data = frame.dropna(subset=["lead_time_hours"])
    if data.empty:
        return _empty("Lead time from out of sync to overdraft")
    fig = px.histogram(data, x="lead_time_hours", nbins=20, title="Lead time from out of sync to overdraft",
                       labels={"lead_time_hours": "hours"})
    fig.update_layout(height=_HEIGHT, yaxis_title="subscribers", bargap=0.05)
    return fig


def balance_timeline(frame: pd.DataFrame, spans: list[tuple[pd.Timestamp, pd.Timestamp]],
                     user_id: str) -> go.Figure:
    """Payment and subscription balance of one subscriber; out-of-sync stretches shaded."""
    if frame.empty:
        return _empty("Balance timeline")
    fig = go.Figure()
    fig.add_scatter(x=frame["date_time"], y=frame["payment_balance"], mode="lines+markers",
                    name="payment balance", line_shape="hv")
    fig.add_scatter(x=frame["date_time"], y=frame["subscription_balance"], mode="lines",
                    name="subscription balance", line_shape="hv", line_dash="dot")
    pad = (frame["date_time"].max() - frame["date_time"].min()) / 50 or pd.Timedelta(hours=1)
    for start, end in spans:  # a stretch still open at the last transaction gets a visible width
        fig.add_vrect(x0=start, x1=end if end > start else end + pad, fillcolor="#e45756", opacity=0.18,
                      line_width=0)
    drifted = frame[~frame["in_sync"].astype(bool)]
    fig.add_scatter(x=drifted["date_time"], y=drifted["payment_balance"], mode="markers", name="out of sync",
                    marker={"color": "#e45756", "size": 9})
    fig.add_hline(y=0, line_color="#888", line_width=1)
    fig.update_layout(title=f"Balances of {html.escape(user_id)} (red: out of sync)", height=_HEIGHT,
                      legend={"orientation": "h", "y": -0.2})
    return fig


def daily_orders(daily: pd.DataFrame, holidays: list[Holiday]) -> go.Figure:
    """Orders per day, holidays shaded, spikes marked."""
    if daily.empty:
        return _empty("Daily orders")
    fig = go.Figure()
    fig.add_bar(x=daily["day"], y=daily["orders"], name="orders", marker_color="#4c78a8")
    fig.add_scatter(x=daily["day"], y=daily["baseline"], name="usual (median of days before)",
                    mode="lines", line={"color": "#72b7b2", "dash": "dot"})
    spikes = daily[daily["spike"]]
    fig.add_scatter(x=spikes["day"], y=spikes["orders"], name="spike", mode="markers",
                    marker={"symbol": "triangle-up", "size": 12, "color": "#e45756"})
    for h in holidays:
        fig.add_vrect(x0=pd.Timestamp(h.start) - pd.Timedelta(hours=12),
                      x1=pd.Timestamp(h.end) + pd.Timedelta(hours=12), fillcolor="#f58518",
                      opacity=0.15, line_width=0, annotation_text=h.name, annotation_position="top left")
    fig.update_layout(title="Daily orders (holidays shaded, spikes marked)", height=_HEIGHT,
                      yaxis_title="orders", legend={"orientation": "h", "y": -0.2})
    return fig


def daily_amount(amounts: pd.DataFrame) -> go.Figure:
    """Order amount per day and currency (each in its own unit)."""
    if amounts.empty:
        return _empty("Daily order amount")
    fig = px.line(amounts, x="day", y="amount", color="currency", title="Daily order amount by currency",
                  labels={"amount": "amount (own currency)", "day": ""})
    fig.update_layout(height=_HEIGHT)
    return fig


def currency_mix(frame: pd.DataFrame) -> go.Figure:
    """Each currency's share of orders ('unknown' for none)."""
    if frame.empty:
        return _empty("Orders by currency")
    fig = px.pie(frame, names="currency", values="orders", title="Orders by currency", hole=0.45)
    fig.update_layout(height=_HEIGHT)
    return fig


def top_subscribers(frame: pd.DataFrame) -> go.Figure:
    """Subscribers with the highest average order amount."""
    if frame.empty:
        return _empty("Top subscribers by average order amount")
    pairs = zip(frame["user_id"], frame["currency"], strict=True)
    labels = [html.escape(f"{u[:8]}… ({c})") for u, c in pairs]
    data = frame.assign(label=labels, subscriber=frame["user_id"].map(html.escape))
    fig = px.bar(data.iloc[::-1], x="avg_amount", y="label", orientation="h",
                 hover_data=["subscriber", "orders"], title="Top subscribers by average order amount",
                 labels={"avg_amount": "average amount", "label": ""})
    fig.update_layout(height=_HEIGHT)
    return fig


def gaps(frame: pd.DataFrame, limit: float | None) -> go.Figure:
    """Silences between consecutive records over time; unusual ones in red."""
    if frame.empty:
        return _empty("Gaps between log records")
    data = frame.assign(hours=frame["gap_seconds"] / 3600, file=frame["file"].map(html.escape),
                        kind=frame["unusual"].map({True: "unusual", False: "usual"}))
    fig = px.scatter(data, x="gap_start", y="hours", color="kind", hover_data=["file", "line", "gap_end"],
                     color_discrete_map={"usual": "#4c78a8", "unusual": "#e45756"},
                     title="Gaps between consecutive log records", labels={"gap_start": "", "hours": "hours"})
    if limit is not None:
        fig.add_hline(y=limit / 3600, line_dash="dot", line_color="#e45756",
                      annotation_text="unusual above", annotation_position="top left")
    fig.update_layout(height=_HEIGHT, legend_title_text="")
    return fig


def errors_per_hour(frame: pd.DataFrame) -> go.Figure:
    """Errors per hour by kind; bursts outlined."""
    if frame.empty:
        return _empty("Errors per hour")
    fig = px.bar(frame, x="hour", y="errors", color="kind", title="Errors per hour by kind (bursts marked)",
                 labels={"hour": ""})
    bursts = frame[frame["burst"]].groupby("hour", as_index=False)["errors"].sum()
    fig.add_scatter(x=bursts["hour"], y=bursts["errors"], mode="markers", name="burst",
                    marker={"symbol": "x", "size": 12, "color": "black"})
    fig.update_layout(height=_HEIGHT, bargap=0)
    return fig


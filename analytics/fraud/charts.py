"""Plotly figures of the Fraud cohort page (pure: data in, figure out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def flags_bar(counts: pd.DataFrame) -> go.Figure:
    """Players per pattern (from views.flag_counts), one bar each, in pattern order."""
    labels = [f"{n}. {t}" for n, t in zip(counts["pattern"], counts["title"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=counts["players"],
            y=labels,
            orientation="h",
            text=counts["players"],
            textposition="outside",
            marker_color="#c0392b",
        )
    )
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 30, "t": 30, "b": 10},
        xaxis_title="players flagged",
        yaxis={"autorange": "reversed"},
        title="Flags per pattern (potential fraudsters)",
    )
    return fig


def counts_compare(counts: pd.DataFrame) -> go.Figure:
    """Players per pattern: the last run beside the what-if (from WhatIf.counts)."""
    labels = [f"{n}" for n in counts["pattern"]]
    fig = go.Figure(
        [
            go.Bar(name="last run", x=labels, y=counts["last_run"], marker_color="#7f8c8d"),
            go.Bar(name="what-if", x=labels, y=counts["what_if"], marker_color="#2980b9"),
        ]
    )
    fig.update_layout(
        barmode="group",
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title="pattern",
        yaxis_title="players",
        title="Players per pattern",
    )
    return fig


def timeline(events: pd.DataFrame, evidence: pd.DataFrame) -> go.Figure:
    """One player's events over time by event name; the events that triggered a flag marked in red."""
    keys = set(zip(evidence["event_time"], evidence["event_name"], strict=True)) if len(evidence) else set()
    hit = [(t, n) in keys for t, n in zip(events["event_time"], events["event_name"], strict=True)]
    frame = events.assign(triggered=hit)
    hover = (
        "%{x}<br>%{y}<br>chapter %{customdata[0]}<br>credits %{customdata[1]}"
        "<br>metapoints %{customdata[2]}<extra></extra>"
    )
    fig = go.Figure()
    for triggered, group in frame.groupby("triggered"):
        data = (
            group[["chapter", "credits_balance", "metapoints_balance"]]
            .astype("object")
            .where(group[["chapter", "credits_balance", "metapoints_balance"]].notna(), "")
        )
        fig.add_trace(
            go.Scatter(
                x=group["event_time"],
                y=group["event_name"],
                mode="markers",
                customdata=data.to_numpy(),
                name="triggered a flag" if triggered else "event",
                hovertemplate=hover,
                marker={
                    "size": 12 if triggered else 7,
                    "color": "#c0392b" if triggered else "#95a5a6",
                    "symbol": "x" if triggered else "circle",
                },
            )
        )
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title="Event timeline",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig

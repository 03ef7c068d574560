"""Plotly figures of the Rewards & ROI page: data in, figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

COST, REVENUE = "#d62728", "#2ca02c"


def segment_bar(counts: pd.DataFrame) -> go.Figure:
    """Players per segment (report.segment_counts)."""
    fig = go.Figure(
        go.Bar(
            x=counts["segment"],
            y=counts["players"],
            text=counts["players"],
            textposition="outside",
            marker_color="#1f77b4",
        )
    )
    fig.update_layout(
        title="Players per segment",
        yaxis_title="players",
        height=340,
        margin={"t": 50, "b": 30, "l": 40, "r": 10},
    )
    return fig


def cost_and_revenue(frame: pd.DataFrame, by: str, title: str) -> go.Figure:
    """Cost and expected revenue side by side for each `by` value."""
    fig = go.Figure(
        [
            go.Bar(name="cost", x=frame[by], y=frame["cost"], marker_color=COST),
            go.Bar(name="expected revenue", x=frame[by], y=frame["expected_revenue"], marker_color=REVENUE),
        ]
    )
    fig.update_layout(
        title=title,
        barmode="group",
        height=400,
        margin={"t": 80, "b": 30, "l": 40, "r": 10},
        legend={"orientation": "h", "y": 1.12, "x": 0},
    )
    fig.update_xaxes(automargin=True)
    return fig

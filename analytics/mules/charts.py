"""Plotly figures of the Mule lab (pure: data in, figure out)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

KIND_COLOURS = {"distributor": "#d62728", "purchaser": "#ff7f0e", "ordinary": "#1f77b4"}
LAYOUT_SEED = 7
HEIGHT = 360


def scenario_chart(counts: pd.DataFrame) -> go.Figure:
    """Batches per scenario, coloured by kind of drop."""
    fig = px.bar(
        counts,
        x="scenario",
        y="batches",
        color="kind",
        color_discrete_map=KIND_COLOURS,
        title="Batches per scenario",
        text="batches",
    )
    fig.update_layout(height=HEIGHT, xaxis_title=None, yaxis_title="batches", legend_title=None)
    return fig


def type_chart(counts: pd.DataFrame) -> go.Figure:
    """Transactions per type and kind of account (log scale: ordinary clients outnumber drops)."""
    totals = counts.groupby(["txn_type", "kind"], as_index=False)["transactions"].sum()
    fig = px.bar(
        totals,
        x="txn_type",
        y="transactions",
        color="kind",
        barmode="group",
        log_y=True,
        color_discrete_map=KIND_COLOURS,
        title="Transactions per type",
    )
    fig.update_layout(height=HEIGHT, xaxis_title=None, legend_title=None)
    fig.update_yaxes(dtick=1)  # label powers of ten only
    return fig


def life_chart(life: pd.DataFrame, spans: pd.DataFrame, account: str) -> go.Figure:
    """A drop's balance over time: activity periods shaded, inbound/outbound marked, declines crossed."""
    fig = go.Figure()
    for row in spans.itertuples():
        fig.add_vrect(
            x0=row.first,
            x1=row.last,
            fillcolor="#2ca02c",
            opacity=0.12,
            line_width=0,
            annotation_text=f"period {int(row.period)}",
            annotation_position="top left",
        )
    fig.add_trace(
        go.Scatter(
            x=life["timestamp"],
            y=life["balance"],
            mode="lines",
            line_shape="hv",
            name="balance",
            line={"color": "#444"},
        )
    )
    ok = life["status"] == "approved"
    for label, mask, symbol, colour in (
        ("inbound", ok & (life["direction"] == "in"), "triangle-up", "#2ca02c"),
        ("outbound", ok & (life["direction"] == "out"), "triangle-down", "#1f77b4"),
        ("declined", ~ok, "x", "#d62728"),
    ):
        part = life[mask]
        fig.add_trace(
            go.Scatter(
                x=part["timestamp"],
                y=part["balance"],
                mode="markers",
                name=label,
                marker={"symbol": symbol, "size": 11 if label == "declined" else 8, "color": colour},
                customdata=part[["txn_type", "amount", "rule"]].astype(str).to_numpy(),
                hovertemplate="%{x}<br>%{customdata[0]} %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            )
        )
    fig.update_layout(title=f"Balance of {account}", height=420, yaxis_title="balance", xaxis_title=None)
    return fig


def network_chart(edges: pd.DataFrame) -> go.Figure:
    """In-bank transfers sent by drops: drops and the ordinary clients they paid."""
    graph = nx.DiGraph()
    kinds: dict[str, str] = {}
    for row in edges.itertuples():
        graph.add_edge(row.source, row.target, weight=float(row.transfers))
        kinds[row.source] = row.source_kind
        kinds.setdefault(row.target, row.target_kind)
    fig = go.Figure()
    if graph.number_of_nodes():
        pos = nx.spring_layout(graph, seed=LAYOUT_SEED)
        xs, ys = [], []
        for a, b in graph.edges():
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 0.6, "color": "#bbb"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        nodes = sorted(graph.nodes())
        for kind, colour in KIND_COLOURS.items():
            members = [n for n in nodes if kinds.get(n) == kind]
            fig.add_trace(
                go.Scatter(
                    x=[pos[n][0] for n in members],
                    y=[pos[n][1] for n in members],
                    mode="markers",
                    name=kind,
                    text=members,
                    hovertemplate="%{text}<extra></extra>",
                    marker={"size": 9, "color": colour, "line": {"width": 0.5, "color": "white"}},
                )
            )
    fig.update_layout(
        title="In-bank transfers from drops", height=460, xaxis={"visible": False}, yaxis={"visible": False}
    )
    return fig


def confusion_chart(metrics: pd.Series) -> go.Figure:
    """2x2 confusion matrix of one detector (rows: truth, columns: flag)."""
    z = [[metrics["tp"], metrics["fn"]], [metrics["fp"], metrics["tn"]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["flagged", "not flagged"],
            y=["drop", "ordinary"],
            colorscale="Blues",
            showscale=False,
            text=z,
            texttemplate="%{text}",
        )
    )
    fig.update_layout(title=str(metrics["detector"]), height=280, yaxis={"autorange": "reversed"})
    return fig


def timing_chart(timing: pd.DataFrame, bank_hours: pd.Series) -> go.Figure:
    """Hours from a drop's first inbound to each detector's flag, and to the bank's block."""
    flags = timing[["detector", "hours_to_flag"]].rename(columns={"hours_to_flag": "hours"})
    blocks = pd.DataFrame({"detector": "bank block", "hours": bank_hours.to_numpy(float)})
    data = pd.concat([flags, blocks], ignore_index=True)
    fig = px.box(data, x="detector", y="hours", points="all", title="Hours after a drop's first inbound")
    fig.update_layout(height=HEIGHT, xaxis_title=None)
    return fig

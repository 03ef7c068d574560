"""Plotly figures of one audit (pure: data in, figure out)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from analytics.cashout.note import SOURCE_NAMES

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 320}


def value_sources(audit: dict) -> go.Figure:
    """Where the window's value came from: each source's positive total and share."""
    unit = audit.get("unit", "currency")
    sources = list(audit["value_totals"])
    totals = [audit["value_totals"][s] for s in sources]
    shares = [audit["value_sources"][s] for s in sources]
    fig = go.Figure(go.Bar(
        x=totals, y=[SOURCE_NAMES[s] for s in sources], orientation="h",
        text=[f"{share * 100:.1f}%" for share in shares], textposition="auto",
        marker_color=["#c62828" if s == "admin_add_balance" and v else "#1565c0"
                      for s, v in zip(sources, totals, strict=True)],
        hovertemplate="%{y}: %{x:,.2f} " + unit + "<extra></extra>",
    ))
    fig.update_layout(title=f"Value sources ({unit})", yaxis={"autorange": "reversed"}, **_LAYOUT)
    return fig


def balance(events: pd.DataFrame, audit: dict) -> go.Figure:
    """The player's balance over the window (sum of the events so far) against the cashout amount."""
    unit = audit.get("unit", "currency")
    fig = go.Figure()
    if not events.empty:
        fig.add_trace(go.Scatter(
            x=events["event_time"], y=events["balance"].astype(float), mode="lines", line_shape="hv",
            name="balance", hovertemplate="%{x}<br>%{y:,.2f} " + unit + "<extra></extra>",
        ))
    fig.add_hline(y=audit["amount"], line_dash="dot", line_color="#c62828",
                  annotation_text=f"cashout {audit['amount']:,.2f}", annotation_position="top left")
    fig.update_layout(title=f"Balance over the window ({unit})", showlegend=False, **_LAYOUT)
    return fig


def opponents(audit: dict) -> go.Figure:
    """How much the player won from each top opponent; related players in red."""
    related = set(audit["collusion"]["related_players"])
    tops = audit["collusion"]["top_opponents"]
    fig = go.Figure(go.Bar(
        x=[o["id"] for o in tops], y=[o["amount"] for o in tops],
        marker_color=["#c62828" if o["id"] in related else "#1565c0" for o in tops],
        hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
    ))
    fig.update_layout(title="Won from top opponents (red: related players)", **_LAYOUT)
    return fig


def device_graph(audit: dict, pairs: pd.DataFrame) -> go.Figure:
    """The player, their devices and every account seen on those devices, as a small graph."""
    graph = nx.Graph()
    player = audit["user_id"]
    graph.add_node(player, kind="player")
    for device in audit["device_sharing"]["devices"]:
        graph.add_node(device, kind="device")
        graph.add_edge(player, device)
    for device, user in pairs[["device_id", "user_id"]].itertuples(index=False):
        if device in graph and user != player:
            graph.add_node(user, kind="other")
            graph.add_edge(device, user)
    pos = nx.spring_layout(graph, seed=7)
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for a, b in graph.edges:
        edge_x += [pos[a][0], pos[b][0], None]
        edge_y += [pos[a][1], pos[b][1], None]
    colors = {"player": "#1565c0", "device": "#757575", "other": "#c62828"}
    nodes = list(graph.nodes(data="kind"))
    fig = go.Figure([
        go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#bdbdbd"}, hoverinfo="skip"),
        go.Scatter(
            x=[pos[n][0] for n, _ in nodes], y=[pos[n][1] for n, _ in nodes], mode="markers+text",
            text=[n for n, _ in nodes], textposition="top center",
            marker={"size": [22 if k == "player" else 14 for _, k in nodes],
                    "color": [colors[k] for _, k in nodes],
                    "symbol": ["square" if k == "device" else "circle" for _, k in nodes]},
            hovertext=[f"{k}: {n}" for n, k in nodes], hoverinfo="text",
        ),
    ])
    fig.update_layout(title="Devices and the accounts on them (red: other accounts)", showlegend=False,
                      xaxis={"visible": False}, yaxis={"visible": False}, **_LAYOUT)
    return fig

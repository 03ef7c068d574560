"""Cashout audits (contracts/cashout_events.md): may this player's cashout be paid, and why."""

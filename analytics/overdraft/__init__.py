"""Overdraft monitor: balance-sync Lambda logs parsed into transactions and errors, the figures
that show out-of-sync balances predicting overdraft, the at-risk list and its alerts."""

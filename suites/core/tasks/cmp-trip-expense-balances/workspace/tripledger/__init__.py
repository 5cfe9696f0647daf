"""Shared trip expenses: who paid what, who owes whom."""

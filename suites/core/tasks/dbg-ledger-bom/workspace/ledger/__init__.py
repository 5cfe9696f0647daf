"""Household ledger: load bank/card CSV exports and summarise spending by month."""
from .amounts import parse_amount
from .reader import read_table
from .summary import monthly_totals
from .transactions import Transaction, load_transactions

__all__ = ["Transaction", "load_transactions", "monthly_totals", "parse_amount", "read_table"]

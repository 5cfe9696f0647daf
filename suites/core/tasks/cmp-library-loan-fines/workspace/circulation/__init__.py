"""Loans, due dates and overdue fines for the city library's branches."""

"""Reintegration plans: HR budgets (policies) and week-by-week capacity plans."""

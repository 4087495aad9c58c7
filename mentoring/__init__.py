"""Mentor matching: profiles, scoring, the solver and its Slack surfaces.

The feature arrives with its own issue; the package exists so that the layout,
packaging and import contracts are in place from the start.
"""

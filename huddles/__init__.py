"""Monthly peer huddles: cohorts, slots, facilitation prompts and their Slack surfaces.

The feature arrives with its own issue; the package exists so that the layout,
packaging and import contracts are in place from the start.
"""

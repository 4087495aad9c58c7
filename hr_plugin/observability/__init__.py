"""What operators see of the running app: JSON logs that carry ids, Prometheus metrics.

Both follow the privacy contract: a log line or a metric label may name a tenant, a Slack user
id, an event id, an outbox key or a tick, never a person's name or anything anyone typed.
"""

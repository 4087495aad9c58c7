"""The HTTP surface: one Flask app for Slack's endpoint, health, metrics and the features' pages."""

from hr_plugin.web.app import WebApp
from hr_plugin.web.slack import SLACK_EVENTS_PATH, SlackEndpoint, SlackFirst, add_slack_endpoint

__all__ = ["SLACK_EVENTS_PATH", "SlackEndpoint", "SlackFirst", "WebApp", "add_slack_endpoint"]

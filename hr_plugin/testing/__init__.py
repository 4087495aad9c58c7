"""Test doubles that speak Slack's protocols for real: used by the tests, the demo and the benchmarks."""

from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient

__all__ = ["FakeSlack", "SignedResponse", "SlackRequestClient"]

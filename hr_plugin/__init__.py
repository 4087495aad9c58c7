"""Return-to-work program plugin for Slack: the app shell and shared core."""

__version__ = "0.1.0"

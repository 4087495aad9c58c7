"""The Slack surface: the Bolt app, its listeners and its Block Kit views."""

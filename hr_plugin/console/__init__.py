"""The HR console: a web page under ``/hr/`` for the app's HR admins, who sign in with Slack.

``auth`` is Sign in with Slack (OpenID Connect), ``service`` admits the signed-in person (their
tenant, found through the directory, and their HR admin role) and writes the audit log, ``web``
serves the pages with Flask, and ``feature`` mounts them under ``/hr/``. Nothing from the
private space is read here.
"""

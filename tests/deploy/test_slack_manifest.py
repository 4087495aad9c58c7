"""deploy/slack/manifest.yaml asks for exactly the bot scopes the code needs: no more, no fewer.

The needed scopes are derived, not listed by hand:

1. The source of hr_plugin/, mentoring/ and huddles/ is read with ``ast`` for calls of
   ``slack_sdk.WebClient`` methods (``client.chat_postMessage(...)``, ``files_upload_v2``...).
   Which Web API methods each WebClient method calls is read from slack_sdk's own source, so
   ``files_upload_v2`` counts as ``files.getUploadURLExternal`` and
   ``files.completeUploadExternal``, whatever the installed version does.
2. Each Web API method maps to the bot scope Slack documents for it (the table below).
   ``conversations.open`` needs ``im:write`` for a DM and ``mpim:write`` for a group DM, so the
   outbox's messages decide which: ``recipient=`` is a DM, ``conversation=`` a group DM.
3. The features the manifest declares add theirs: slash commands and shortcuts need ``commands``.
   The listeners the code registers must match the manifest's events, commands and shortcuts.

hr_plugin/testing (the fake Slack) and hr_plugin/demo (which runs only against it) are not
scanned: they are not the app's calls to Slack.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import slack_sdk.web.client
import yaml

from hr_plugin.console.auth import CALLBACK_PATH
from hr_plugin.features import FEATURES
from hr_plugin.oauth.flow import BOT_SCOPES, REDIRECT_PATH
from hr_plugin.web import SLACK_EVENTS_PATH
from tests.deploy.support import DEPLOY, ROOT

MANIFEST = DEPLOY / "slack" / "manifest.yaml"
SCANNED = [ROOT / "hr_plugin", ROOT / "mentoring", ROOT / "huddles"]
NOT_THE_APP = [ROOT / "hr_plugin" / "testing", ROOT / "hr_plugin" / "demo"]
OUTBOX = ROOT / "hr_plugin" / "outbox" / "enqueue.py"

# The bot-token scopes of each Web API method the app calls. Source: the method's page,
# docs.slack.dev/reference/methods/<method>, "Facts" > "Scopes" > "Bot token" (also in
# slackapi/slack-api-specs, web-api/slack_web_openapi_v2.json, "security" of each path).
# A method missing here fails the test: look it up and add it, with its scope.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),  # any token may ask who it is
    "chat.postMessage": frozenset({"chat:write"}),
    # conversations.open: im:write for a DM, mpim:write for a group DM (see _conversation_scopes).
    "conversations.open": frozenset(),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "oauth.v2.access": frozenset(),  # the install and the token refresh: client id and secret only
    # The HR console's Sign in with Slack: "No scopes required" (its page's Facts); the user
    # scopes openid, email and profile are asked for at the authorize step, not by a bot token.
    "openid.connect.token": frozenset(),
    "users.info": frozenset({"users:read"}),
    "users.list": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read.email"}),
    # Surfaces need no scope: docs.slack.dev/reference/methods/views.publish ("No scopes required").
    "views.open": frozenset(),
    "views.publish": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
}
# users.list returns each member's profile.email only with users:read.email (the users.list
# page, "email field ... requires users:read.email"); the directory import matches on it.
FIELD_SCOPES = {("users.list", "email"): frozenset({"users:read.email"})}
# Events: docs.slack.dev/reference/events/<event>, "Required scopes". These three need none.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
}
# Calls Bolt and slack_sdk make themselves: auth.test when the app starts or authorizes a
# request, oauth.v2.access when a workspace installs the app or a rotating token is refreshed.
LIBRARY_METHODS = {"auth.test", "oauth.v2.access"}


@dataclass(frozen=True)
class Call:
    method: str
    where: str


@cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    """The app's modules, parsed once."""
    return tuple(
        (path, ast.parse(path.read_text(), filename=str(path)))
        for folder in SCANNED
        for path in sorted(folder.rglob("*.py"))
        if not any(path.is_relative_to(excluded) for excluded in NOT_THE_APP)
    )


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


@cache
def web_client_methods() -> dict[str, frozenset[str]]:
    """``WebClient`` method name -> the Web API methods it calls, read from slack_sdk's source."""
    tree = ast.parse(inspect.getsource(slack_sdk.web.client))
    client = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "WebClient")
    direct: dict[str, set[str]] = {}
    delegates: dict[str, set[str]] = {}
    for function in client.body:
        if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
            continue
        direct[function.name], delegates[function.name] = set(), set()
        for call in _calls(function):
            if not (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)):
                continue
            if call.func.value.id != "self":
                continue
            if call.func.attr == "api_call" and call.args and isinstance(call.args[0], ast.Constant):
                direct[function.name].add(str(call.args[0].value))
            else:
                delegates[function.name].add(call.func.attr)

    def resolve(name: str, seen: frozenset[str]) -> set[str]:
        found = set(direct.get(name, ()))
        for other in delegates.get(name, ()):
            if other in direct and other not in seen:
                found |= resolve(other, seen | {other})
        return found

    return {name: frozenset(resolve(name, frozenset({name}))) for name in direct}


def api_calls() -> list[Call]:
    """Every Web API method the app's own code calls, with where."""
    methods = web_client_methods()
    found = []
    for path, tree in _modules():
        for call in _calls(tree):
            name = _called_name(call)
            if name == "api_call":
                first = call.args[0] if call.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{_where(path, call)}: api_call with a method name computed at run time"
                )
                found.append(Call(first.value, _where(path, call)))
            elif isinstance(call.func, ast.Attribute) and name in methods:
                found.extend(Call(method, _where(path, call)) for method in methods[name])
    return found


def _reads_field(tree: ast.AST, field: str) -> bool:
    """``x["field"]`` or ``x.get("field")`` somewhere in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and _called_name(node) == "get" and node.args:
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and key.value == field:
            return True
    return False


def _field_scopes() -> dict[str, frozenset[str]]:
    """Scopes needed because of what the code reads from a method's answer, with where."""
    methods = web_client_methods()
    needed = {}
    for path, tree in _modules():
        called = {m for call in _calls(tree) for m in methods.get(_called_name(call) or "", ())}
        for (method, field), scopes in FIELD_SCOPES.items():
            if method in called and _reads_field(tree, field):
                needed[f"{method} ({field}) at {path.relative_to(ROOT)}"] = scopes
    return needed


def _conversation_scopes() -> dict[str, frozenset[str]]:
    """What the outbox opens: a DM for ``recipient=``, a group DM for ``conversation=``."""
    needed: dict[str, frozenset[str]] = {}
    for path, tree in _modules():
        for call in _calls(tree):
            if _called_name(call) not in ("enqueue", "Outgoing"):
                continue
            if path == OUTBOX:
                continue  # enqueue's own hand-over to Outgoing
            assert len(call.args) <= 4, f"{_where(path, call)}: pass recipient or conversation by keyword"
            for keyword in call.keywords:
                if isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
                    continue
                if keyword.arg == "recipient":
                    needed[f"conversations.open (a DM) at {_where(path, call)}"] = frozenset({"im:write"})
                elif keyword.arg == "conversation":
                    needed[f"conversations.open (a group DM) at {_where(path, call)}"] = frozenset(
                        {"mpim:write"}
                    )
    return needed


@dataclass(frozen=True)
class Listeners:
    events: frozenset[str]
    commands: frozenset[str]
    shortcuts: frozenset[str]


def registered_listeners() -> Listeners:
    """What the features ask Bolt to route to them (``hr_plugin.features``): events, commands and
    shortcuts. Nothing may reach Bolt another way: only the toolkit that wires the declarations
    (``hr_plugin/slack/declare.py``) calls ``app.event``, ``app.command`` or ``app.shortcut``."""
    found: dict[str, set[str]] = {"event": set(), "command": set(), "shortcut": set()}
    for feature in FEATURES:
        for listener in feature.listeners:
            if listener.route.kind in found:
                found[listener.route.kind].add(listener.route.key)
    for path, tree in _modules():
        if path.name == "declare.py" and path.parent.name == "slack":
            continue
        for call in _calls(tree):
            if not (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)):
                continue
            if call.func.value.id != "app":
                continue
            kind = call.func.attr
            assert kind != "message", f"{_where(path, call)}: message events need scopes of their own"
            assert kind not in found, f"{_where(path, call)}: app.{kind} outside a feature's declarations"
    return Listeners(frozenset(found["event"]), frozenset(found["command"]), frozenset(found["shortcut"]))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(loaded, dict)
    return loaded


def needed_scopes(manifest: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Each reason the app needs scopes -> those scopes."""
    needed: dict[str, frozenset[str]] = {}
    calls = api_calls()
    unknown = sorted({c.method for c in calls} - set(METHOD_SCOPES))
    assert not unknown, f"look up the bot scopes of {unknown} and add them to METHOD_SCOPES"
    for call in calls:
        needed[f"{call.method} at {call.where}"] = METHOD_SCOPES[call.method]
    if any(call.method == "conversations.open" for call in calls):
        conversations = _conversation_scopes()
        assert conversations, "conversations.open is called, but for no message this test can see"
        needed.update(conversations)
    needed.update(_field_scopes())
    for method in LIBRARY_METHODS:
        needed[f"{method} (Bolt, slack_sdk)"] = METHOD_SCOPES[method]
    features = manifest["features"]
    if features.get("slash_commands") or features.get("shortcuts"):
        needed["slash commands and shortcuts"] = frozenset({"commands"})
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert event in EVENT_SCOPES, f"look up the scopes the {event} event needs and add it to EVENT_SCOPES"
        needed[f"the {event} event"] = EVENT_SCOPES[event]
    return needed


# -- the tests ---------------------------------------------------------------------------------


def test_the_scan_sees_the_calls_it_must() -> None:
    """The derivation itself works: known calls are found, files_upload_v2 is seen through."""
    assert web_client_methods()["files_upload_v2"] == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
    methods = {call.method for call in api_calls()}
    assert {"chat.postMessage", "conversations.open", "views.publish", "users.list"} <= methods
    kinds = {reason.split(" at ")[0] for reason in _conversation_scopes()}
    assert kinds == {"conversations.open (a DM)", "conversations.open (a group DM)"}


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs(manifest: dict[str, Any]) -> None:
    needed = needed_scopes(manifest)
    wanted = frozenset().union(*needed.values())
    declared = set(manifest["oauth_config"]["scopes"]["bot"])
    missing = sorted(wanted - declared)
    unused = sorted(declared - wanted)
    reasons = {scope: [r for r, scopes in needed.items() if scope in scopes][:3] for scope in missing}
    assert not missing, f"the code needs scopes the manifest lacks: {reasons}"
    assert not unused, f"the manifest asks for scopes no code needs: {unused}"
    assert len(manifest["oauth_config"]["scopes"]["bot"]) == len(declared), "a scope is listed twice"
    # The only user scopes are Sign in with Slack's, for the HR console; the access token they
    # bring is thrown away (hr_plugin.console.auth.exchange_code), so the app keeps no user token.
    assert sorted(manifest["oauth_config"]["scopes"]["user"]) == ["email", "openid", "profile"]


def test_the_oauth_install_asks_for_the_manifests_scopes(manifest: dict[str, Any]) -> None:
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_the_manifest_routes_every_listener_and_nothing_else(manifest: dict[str, Any]) -> None:
    listeners = registered_listeners()
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(listeners.events)
    commands = [command["command"] for command in manifest["features"]["slash_commands"]]
    assert sorted(commands) == sorted(listeners.commands)
    shortcuts = [shortcut["callback_id"] for shortcut in manifest["features"]["shortcuts"]]
    assert sorted(shortcuts) == sorted(listeners.shortcuts)


def test_every_request_url_is_the_apps_endpoint(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(command["url"] for command in manifest["features"]["slash_commands"]),
    ]
    hosts = {urlsplit(url).netloc for url in urls}
    assert len(hosts) == 1
    for url in urls:
        assert urlsplit(url).scheme == "https" and urlsplit(url).path == SLACK_EVENTS_PATH, url
    for url in manifest["oauth_config"]["redirect_urls"]:
        assert urlsplit(url).netloc in hosts and urlsplit(url).path in (REDIRECT_PATH, CALLBACK_PATH)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True

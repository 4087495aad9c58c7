"""The ``hr-plugin`` command: serve, schedule, migrate, import, administer, demo."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hr_plugin.cli_support import read_json as _read_json
from hr_plugin.cli_support import services_for as _services
from hr_plugin.cli_support import slack_client as _slack_client
from hr_plugin.cli_support import tenant as _tenant
from hr_plugin.cli_support import workspace as _workspace
from hr_plugin.features import FEATURES
from hr_plugin.observability.logs import configure_logging, default_log_format
from hr_plugin.settings import Settings, SettingsError

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from hr_plugin.directory import DirectoryFile
    from hr_plugin.outbox import OutboxPolicy
    from hr_plugin.services import Services
    from hr_plugin.slack_clients import SlackClients

log = logging.getLogger("hr_plugin")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format or default_log_format(args.command))
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hr-plugin", description="Return-to-work program for Slack.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode with an app token)")
    serve.set_defaults(handler=_serve)

    scheduler = commands.add_parser(
        "scheduler", help="run the background ticks (one leader, others stand by)"
    )
    scheduler.set_defaults(handler=_scheduler)

    db = commands.add_parser("db", help="the database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the latest schema").set_defaults(
        handler=_db_upgrade
    )

    directory = commands.add_parser("directory", help="the HRIS directory")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    importer = directory_commands.add_parser("import", help="import an HRIS CSV export")
    importer.add_argument("file", type=Path)
    importer.add_argument("--full", action="store_true", help="people missing from the file have left")
    importer.add_argument("--team", help="workspace (or enterprise) id; needed when several are installed")
    importer.set_defaults(handler=_directory_import)

    admins = commands.add_parser("admins", help="HR admins")
    admin_commands = admins.add_subparsers(dest="admins_command", required=True)
    add_admin = admin_commands.add_parser("add", help="appoint an HR admin by email")
    add_admin.add_argument("email")
    add_admin.add_argument("--team")
    add_admin.set_defaults(handler=_admins_add)

    for feature in FEATURES:  # each feature's own commands (hr_plugin.features)
        if feature.commands is not None:
            feature.commands(commands)
    _file_command(
        commands,
        "resources",
        "help links shown on every private screen",
        "set",
        "replace the help links from a JSON file",
        _resources_set,
    )
    _file_command(
        commands,
        "enrolment",
        "enrolments HR proposes",
        "import",
        "propose enrolments from a CSV file (email, leave_start, expected_return)",
        _enrolment_import,
    )

    demo = commands.add_parser("demo", help="run the whole program offline against a fake Slack")
    demo.add_argument("--out", type=Path, required=True, help="folder for slack-calls.jsonl and people.json")
    demo.add_argument("--canary", help="text every simulated private entry carries, to detect leaks")
    demo.add_argument("--database-url", help="default: a fresh SQLite file in --out")
    demo.add_argument(
        "--leave-out-private-space",
        metavar="EMAIL",
        help="this person never opens their private space (everything else runs as usual)",
    )
    demo.set_defaults(handler=_demo)
    return parser


def _file_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    verb: str,
    verb_summary: str,
    handler: Callable[[argparse.Namespace], int],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """``hr-plugin NAME VERB FILE [--team ID]``; returns NAME's subcommands for more verbs."""
    group = commands.add_parser(name, help=summary).add_subparsers(dest=f"{name}_command", required=True)
    command = group.add_parser(verb, help=verb_summary)
    command.add_argument("file", type=Path)
    command.add_argument("--team", help="workspace (or enterprise) id; needed when several are installed")
    command.set_defaults(handler=handler)
    return group


def _serve(args: argparse.Namespace) -> int:
    settings = Settings()
    settings.check_serve()
    from hr_plugin.services import make_services
    from hr_plugin.slack.app import build_app

    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        services = make_services(settings)
        log.info("starting in Socket Mode")
        SocketModeHandler(build_app(services), settings.slack_app_token).start()
        return 0

    from hr_plugin.db import SchemaNotReady
    from hr_plugin.server import run_gunicorn
    from hr_plugin.web import WebApp

    try:
        _prepare_storage(settings)
    except SchemaNotReady as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def build_wsgi() -> WebApp:
        services = make_services(settings)
        return WebApp(build_app(services), services)

    log.info("serving on http://%s:%s/slack/events", settings.host, settings.port)
    run_gunicorn(settings, build_wsgi)
    return 0


def _prepare_storage(settings: Settings) -> None:
    """In ``serve``'s own process, before any worker starts: the embedded SQLite database
    migrated here, once (each process migrating for itself raced: ``table ... already exists``, a
    worker dead at start), the key store's table made, and both files private.
    PostgreSQL's schema is only checked; ``hr-plugin db upgrade`` migrates it."""
    from hr_plugin.db import current_revision, make_engine, prepare

    engine = make_engine(settings.database_url)
    try:
        prepare(engine)
        log.info("database schema at %s", current_revision(engine))
    finally:
        engine.dispose()
    for feature in FEATURES:
        for prepare_feature in feature.before_serve:
            prepare_feature(settings)


def _scheduler(args: argparse.Namespace) -> int:
    settings = Settings()
    if not (settings.slack_bot_token or settings.oauth_enabled):
        raise SettingsError(
            "the scheduler sends messages: set HR_PLUGIN_SLACK_BOT_TOKEN "
            "(or HR_PLUGIN_SLACK_CLIENT_ID and _CLIENT_SECRET for multi-workspace installs)"
        )
    settings.master_key()  # the private space's retention tick needs it: refuse early, naming the setting
    from hr_plugin.outbox import Drainer
    from hr_plugin.scheduler import SchedulerProcess
    from hr_plugin.services import make_services
    from hr_plugin.ticks import TickContext

    services = make_services(settings)
    process_holder = f"drainer-{os.getpid()}"
    clients = _background_clients(services, wait_on_rate_limit=False)
    drainer = Drainer(
        services.factory,
        clients,
        services.clock,
        drainer_id=process_holder,
        policy=settings_outbox_policy(settings),
    )
    process = SchedulerProcess(
        services.engine, TickContext(services.factory, services.clock, drainer, settings)
    )
    process.install_signal_handlers()
    process.run()
    return 0


def settings_outbox_policy(settings: Settings) -> OutboxPolicy:
    from datetime import timedelta

    from hr_plugin.outbox import OutboxPolicy

    return OutboxPolicy(
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        workspace_per_minute=settings.outbox_workspace_per_minute,
    )


def _db_upgrade(args: argparse.Namespace) -> int:
    from hr_plugin.db import current_revision, make_engine, upgrade

    engine = make_engine(Settings().database_url)
    upgrade(engine)
    print(f"database schema at {current_revision(engine)}")
    return 0


def _directory_import(args: argparse.Namespace) -> int:
    from hr_plugin.directory import DirectoryError

    try:
        with _directory_file(args.file) as source:
            return _import_directory_file(args, source)
    except DirectoryError as exc:
        print(f"error: {args.file} was not imported, nothing changed:\n{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def _directory_file(path: Path) -> Iterator[DirectoryFile]:
    """The file read in place, or, for a pipe such as ``/dev/stdin`` (which can be read only
    once, and the import reads it twice), copied first to a temporary file."""
    from hr_plugin.directory import DirectoryFile

    if path.is_file():
        path.open("rb").close()  # a file that cannot be read is said now, not after Slack was paged
        yield DirectoryFile.from_path(path)
        return
    with path.open("rb") as stream, DirectoryFile.from_stream(stream) as source:
        yield source


def _import_directory_file(args: argparse.Namespace, source: DirectoryFile) -> int:
    from hr_plugin.clock import SystemClock
    from hr_plugin.directory import import_directory

    settings = Settings()
    services = _services(settings)
    slack = _slack_client(settings, wait_on_rate_limit=True)
    tenant_id = _tenant(services, args.team, slack)
    if settings.oauth_enabled:
        slack = _installed_client(services, tenant_id)
    # Read as a stream (checked whole, then written in batches): a large export never sits in
    # memory. A bad file is refused whole before Slack is asked anything.
    report = import_directory(
        services.factory,
        tenant_id=tenant_id,
        rows=source,
        slack=slack,
        clock=SystemClock(),
        full=args.full,
        actor="cli",
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(report.summary())
    return 0


def _admins_add(args: argparse.Namespace) -> int:
    from hr_plugin.admins import AdminError, appoint_by_email
    from hr_plugin.clock import SystemClock

    services, tenant_id = _workspace(args)
    try:
        result = appoint_by_email(
            services.factory, SystemClock(), tenant_id=tenant_id, email=args.email, actor="cli"
        )
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{result.name} {'was already' if result.already else 'is now'} an HR admin")
    return 0


def _resources_set(args: argparse.Namespace) -> int:
    from hr_plugin.clock import SystemClock
    from hr_plugin.resources import ResourceError, parse_resources, replace_resources

    services, tenant_id = _workspace(args)
    data, problem = _read_json(args.file)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        resources = parse_resources(data)
    except ResourceError as exc:
        print(f"error: {args.file}: {exc}; nothing changed", file=sys.stderr)
        return 2
    count = replace_resources(
        services.factory, SystemClock(), tenant_id=tenant_id, resources=resources, actor="cli"
    )
    print(f"{count} help link(s) set; they show on every private screen for the matching country")
    return 0


def _enrolment_import(args: argparse.Namespace) -> int:
    from hr_plugin.clock import SystemClock
    from hr_plugin.enrolment import EnrolmentImportError, import_enrolments

    services, tenant_id = _workspace(args)
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        count = import_enrolments(
            services.factory, SystemClock(), tenant_id=tenant_id, text=text, actor="cli"
        )
    except EnrolmentImportError as exc:
        print(f"error: {args.file} was not imported, nothing changed:\n{exc}", file=sys.stderr)
        return 2
    print(f"{count} enrolment(s) proposed; each employee is invited to accept in Slack")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from hr_plugin.demo.run import run_demo

    return run_demo(
        out=args.out,
        canary=args.canary,
        database_url=args.database_url,
        leave_out=args.leave_out_private_space,
    )


def _background_clients(services: Services, *, wait_on_rate_limit: bool) -> SlackClients:
    """The bot token from the settings, or (multi-workspace) each tenant's from its installation."""
    from hr_plugin.bot_token import watched_clients
    from hr_plugin.slack_clients import MultiWorkspaceClients

    settings = services.settings
    if settings.oauth_enabled:
        from hr_plugin.slack.app import installations_for

        return MultiWorkspaceClients(
            installations_for(services), settings.slack_api_url, wait_on_rate_limit=wait_on_rate_limit
        )
    # Watched: a token Slack revoked is not used, and a new one resumes the held messages at start.
    return watched_clients(
        services.factory,
        services.clock,
        settings.slack_bot_token or "",
        settings.slack_api_url,
        wait_on_rate_limit=wait_on_rate_limit,
    )


def _installed_client(services: Services, tenant_id: str) -> WebClient | None:
    """Multi-workspace mode: the tenant's client for a command acting on it (None if uninstalled)."""
    from hr_plugin.slack_clients import NotInstalled

    try:
        return _background_clients(services, wait_on_rate_limit=True).client_for(tenant_id)
    except NotInstalled:
        return None


if __name__ == "__main__":
    sys.exit(main())

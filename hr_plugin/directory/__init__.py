"""The company directory: who works here, who manages whom, and which Slack account is theirs.

The directory is the ground every feature stands on: mentors must sit outside a person's
reporting chain, capacity plans go to the current manager, and nothing goes to someone whose
Slack account is gone. So the import is strict. A file is checked completely before anything
is written, every problem is reported at once with its line (HR fixes a spreadsheet in one go,
not one error per run), and a file that would leave the org in a bad state (an unknown manager,
a reporting loop) is refused whole.

One idea a module:

- ``rows``: the HRIS CSV file: its columns, ``decode_directory_file`` (UTF-8 or a line-numbered
  refusal), ``parse_directory_csv`` (every column checked, every problem with its line,
  ``DirectoryError``), ``read_directory_rows`` (the same as a stream), ``format_directory_csv``
  (writing a file back);
- ``files``: ``DirectoryFile``, a file read again each time the import needs its rows (from a
  path, bytes, or a pipe copied to a temporary file), so a large file never sits in memory;
- ``text``: ``visible_text`` and ``INVISIBLE_CHARACTERS``, what is taken out of a name or
  department so it reads as what it is wherever it is shown;
- ``org``: ``check_org``, managers who exist and reporting lines that do not loop (pure);
- ``slack_ids``: each person's Slack account, by paging ``users.list`` and a few
  ``users.lookupByEmail``, with no database transaction open;
- ``matching``: which person already known each row updates (by email, or by Slack account
  after a change of address), with the org and Slack ids checked;
- ``importing``: ``import_directory``, writing what was matched in one transaction, in batches,
  and its ``ImportReport``;
- ``queries``: the lookups every feature uses (a person by email or Slack id, direct reports,
  everyone above or below someone, the whole org as a map) and ``record_deactivated_in_slack``.

Code outside the package imports the names below from ``hr_plugin.directory``, not from the
modules.
"""

from __future__ import annotations

from hr_plugin.directory.files import DirectoryFile
from hr_plugin.directory.importing import ImportReport, import_directory
from hr_plugin.directory.org import KnownPerson, check_org
from hr_plugin.directory.queries import (
    direct_reports,
    find_by_email,
    find_by_slack_id,
    managers_above,
    org_map,
    record_deactivated_in_slack,
    reporting_chain,
    reports_below,
)
from hr_plugin.directory.rows import (
    DEFAULT_WORKING_DAYS,
    DirectoryError,
    DirectoryRow,
    decode_directory_file,
    format_directory_csv,
    parse_directory_csv,
)
from hr_plugin.directory.text import INVISIBLE_CHARACTERS

__all__ = [
    "DEFAULT_WORKING_DAYS",
    "INVISIBLE_CHARACTERS",
    "DirectoryError",
    "DirectoryFile",
    "DirectoryRow",
    "ImportReport",
    "KnownPerson",
    "check_org",
    "decode_directory_file",
    "direct_reports",
    "find_by_email",
    "find_by_slack_id",
    "format_directory_csv",
    "import_directory",
    "managers_above",
    "org_map",
    "parse_directory_csv",
    "record_deactivated_in_slack",
    "reporting_chain",
    "reports_below",
]

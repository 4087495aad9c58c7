"""Files: a row that delivers a file, with its text as the comment (an ``.ics`` invitation, say).

The file goes through Slack's upload flow in three steps: get an upload URL, send the bytes,
complete the upload into the DM or group DM. The upload is one send as far as the outbox is
concerned: it is paced, retried and flagged the same way, and ``slack_ts`` keeps the file id
when Slack gives no message ts. Once the bytes are with Slack the file's id is kept on the row
(``upload_file_id``), so a retried completion shares that file instead of uploading it again;
only when Slack says the file is gone (``Handling.UPLOAD_AGAIN``) is the id forgotten.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox.errors import Step


@dataclass(frozen=True)
class Attachment:
    """A text file to deliver (an ``.ics`` invitation): what the person sees and downloads."""

    filename: str
    content: str
    title: str

    def as_payload(self) -> dict[str, str]:
        return {"filename": self.filename, "content": self.content, "title": self.title}


def share_file(
    factory: SessionFactory,
    row_id: int,
    client: WebClient,
    channel: str,
    payload: dict[str, Any],
    uploaded: str | None,
    step: Step,
) -> str:
    """Share the payload's file into the channel; the message ts if Slack gives one, else the file id.

    Three steps (upload URL, bytes, completion); only the last shares the file, so a failure
    before it leaves nothing in front of anyone. The file's id is kept on the row once its
    bytes are with Slack, before the completion: a completion retried after a failure then
    shares ``uploaded``, the same file, instead of uploading another.
    """
    attached = payload["file"]
    if uploaded is None:
        uploaded = _upload(client, attached, step)
        _remember_upload(factory, row_id, uploaded)
    step.method = "files.completeUploadExternal"
    response = client.files_completeUploadExternal(
        files=[{"id": uploaded, "title": str(attached["title"])}],
        channel_id=channel,
        initial_comment=payload.get("text") or None,
    )
    return str(response.get("ts") or uploaded)


def _upload(client: WebClient, attached: dict[str, Any], step: Step) -> str:
    """Send a file's bytes to Slack (the first two of the three steps); the new file's id.

    Nothing is shared yet: until ``files.completeUploadExternal`` the file is in front of nobody.
    """
    data = str(attached["content"]).encode("utf-8")
    step.method = "files.getUploadURLExternal"
    ticket = client.files_getUploadURLExternal(filename=str(attached["filename"]), length=len(data))
    step.method = "upload_url"
    request = urllib.request.Request(str(ticket["upload_url"]), data=data, method="POST")
    with urllib.request.urlopen(request, timeout=client.timeout, context=client.ssl) as answer:
        answer.read()  # an answer other than 2xx raises HTTPError: a refusal, retried
    return str(ticket["file_id"])


def _remember_upload(factory: SessionFactory, row_id: int, file_id: str) -> None:
    with unit_of_work(factory) as session:
        row = session.get(OutboxMessage, row_id)
        if row is not None:
            row.upload_file_id = file_id
            session.commit()

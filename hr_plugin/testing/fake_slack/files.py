"""Files, by Slack's upload flow: ``files.getUploadURLExternal``, the upload URL, then
``files.completeUploadExternal``.

The first hands out an upload URL on this server, the bytes are POSTed there (recorded as
``upload_url`` with their size only: nobody sees anything yet), and the last shares them into
one conversation; that call is recorded with each file's name, title and text, as what people saw.
"""

from __future__ import annotations

import re
from typing import Any

from hr_plugin.testing.fake_slack.directory import Directory
from hr_plugin.testing.fake_slack.faults import Faults
from hr_plugin.testing.fake_slack.recording import Recording
from hr_plugin.testing.fake_slack.replies import Reply, SlackError, missing
from hr_plugin.testing.fake_slack.server import Serving
from hr_plugin.testing.fake_slack.state import Upload

# files.completeUploadExternal takes conversation ids only (a user id is refused).
SHARE_CHANNEL_PATTERN = r"^[CGDZ][A-Z0-9]{8,}$"


class Files(Serving, Directory, Faults, Recording):
    """The two ``files.*`` methods and the upload URL between them."""

    def _files_get_upload_url_external(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        filename = params.get("filename")
        if not filename:
            raise missing("filename")
        raw_length = params.get("length")
        if raw_length in (None, ""):
            raise missing("length")
        try:
            length = int(str(raw_length))
        except ValueError as error:
            raise SlackError(
                "invalid_arguments", messages=["[ERROR] length must be an integer [json-pointer:/length]"]
            ) from error
        if length < 0:
            raise SlackError(
                "invalid_arguments", messages=["[ERROR] length must not be negative [json-pointer:/length]"]
            )
        file_id = self._new_id("F")
        self._uploads[file_id] = Upload(id=file_id, filename=str(filename), length=length)
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _handle_upload(self, file_id: str, body: bytes) -> Reply:
        """The upload URL: store the bytes and answer in plain text, as Slack's file servers do.

        Recorded as ``upload_url`` with the size only (nobody sees anything yet; the content
        is recorded when ``files.completeUploadExternal`` shares it).
        """
        params: dict[str, Any] = {"file_id": file_id, "length": len(body)}
        self._sleep_if_delayed("upload_url")
        with self._lock:
            try:
                self._inject_fault("upload_url")
                upload = self._uploads.get(file_id)
                if upload is None:
                    raise SlackError("file_not_found", status=404)
                upload.data = bytes(body)
                reply = Reply(200, {"ok": True}, text=f"OK - {len(body)}")
            except SlackError as refusal:
                reply = Reply(refusal.status, {"ok": False}, refusal.headers, text=refusal.error)
        self._record("upload_url", params, [], reply.status, bool(reply.payload["ok"]))
        return reply

    def _files_complete_upload_external(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        """Share uploaded files into one conversation the app is in.

        Every conversation the fake knows has the app's bot user in it (DMs and group DMs are
        opened by the app, channels are declared as ones it is in), so an unknown id is the
        one way not to be in it, and Slack answers ``channel_not_found`` for that. Sharing
        into ``channels`` (the older list form) is not modelled and is refused.
        """
        described = params.get("files")
        if described in (None, "", []):
            raise missing("files")
        if not isinstance(described, list) or not all(
            isinstance(item, dict) and item.get("id") for item in described
        ):
            raise SlackError(
                "invalid_arguments",
                messages=["[ERROR] files must be a JSON array of objects with an id [json-pointer:/files]"],
            )
        if params.get("channels"):
            raise SlackError(
                "invalid_arguments",
                messages=["[ERROR] this fake shares into channel_id only [json-pointer:/channels]"],
            )
        channel_id = str(params.get("channel_id") or "")
        if not channel_id:
            raise missing("channel_id")  # Slack would keep the file private; the app never wants that
        if not re.fullmatch(SHARE_CHANNEL_PATTERN, channel_id):
            raise SlackError(
                "invalid_arguments",
                messages=[
                    f"[ERROR] input must match regex pattern: {SHARE_CHANNEL_PATTERN} "
                    "[json-pointer:/channel_id]"
                ],
            )
        self._resolve_channel(channel_id)  # unknown: channel_not_found; a left person's DM: account_inactive
        shared: list[dict[str, Any]] = []
        for item in described:
            upload = self._uploads.get(str(item["id"]))
            if upload is None or upload.data is None:
                raise SlackError("file_not_found")
            title = str(item.get("title") or upload.filename)
            shared.append(
                {
                    "id": upload.id,
                    "filename": upload.filename,
                    "title": title,
                    "content": upload.data.decode("utf-8", errors="replace"),
                }
            )
        # The recording shows what people received: each file's name, title and text.
        params["files"] = shared
        return {"files": [{"id": f["id"], "title": f["title"], "name": f["filename"]} for f in shared]}

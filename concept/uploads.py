"""Uploads waiting between preview and confirmation (the data import and the outline import).

The bytes wait on disk under a random token that only the uploader's session knows; the
session keeps, per token, what the upload is for and the bytes' SHA-256. A few per session
(several tabs), the oldest dropped first, six hours at most; an upload is taken back only
for what it was stashed for (its kind, its concept) and only unchanged.
"""

import datetime as dt
import hashlib
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

from concept import locking

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,80}$")


def pending_dir() -> Path:
    configured = getattr(settings, "PENDING_UPLOADS_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "portal-importe"


def _path(token) -> Path:
    return pending_dir() / f"{token}.upload"


def _remove(token):
    if TOKEN_RE.match(token or ""):
        _path(token).unlink(missing_ok=True)


class PendingUploads:
    """The uploads of one kind of import; `session_key` names them in the session."""

    def __init__(self, session_key: str, *, max_pending: int = 3, max_age: int = 6 * 60 * 60):
        self.session_key = session_key
        self.max_pending = max_pending
        self.max_age = max_age

    def stash(self, request, data: bytes, **meta) -> str:
        """Keep the bytes with their metadata (JSON values); return the token."""
        directory = pending_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        # A used token matters only while its upload could still be confirmed.
        locking.forget_tokens(older_than=dt.timedelta(seconds=2 * self.max_age))
        pending = request.session.get(self.session_key, {})
        while len(pending) >= self.max_pending:
            oldest = next(iter(pending))
            pending.pop(oldest)
            _remove(oldest)
        token = secrets.token_urlsafe(24)
        _path(token).write_bytes(data)
        pending[token] = {
            "meta": meta,
            "sha256": hashlib.sha256(data).hexdigest(),
            "at": time.time(),
        }
        request.session[self.session_key] = pending
        return token

    def take(self, request, token, **expected) -> tuple[dict, bytes] | None:
        """(metadata, bytes) of the upload waiting under the token, if it is this session's,
        its metadata holds the expected values, recent and unchanged on disk; else None."""
        entry = request.session.get(self.session_key, {}).get(token or "")
        if entry is None or not TOKEN_RE.match(token):
            return None
        meta = entry["meta"]
        if any(meta.get(name) != value for name, value in expected.items()):
            return None
        if time.time() - entry["at"] > self.max_age:
            return None
        try:
            data = _path(token).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return None
        return meta, data

    def discard(self, request, token) -> None:
        pending = request.session.get(self.session_key, {})
        if pending.pop(token or "", None) is not None:
            request.session[self.session_key] = pending
        _remove(token)

    def _sweep(self):
        """Uploads that were never confirmed do not stay on disk."""
        limit = time.time() - self.max_age
        for path in pending_dir().glob("*.upload"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                pass

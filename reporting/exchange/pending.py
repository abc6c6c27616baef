"""The uploaded file between preview and confirmation: on disk under a random token that only
the uploader's session knows, for this kind and concept, unchanged, for six hours at most."""

import datetime as dt
import hashlib
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

from concept import locking
from concept.models import Concept
from reporting.exchange.kinds import Kind

PENDING_KEY = "exchange_imports"
MAX_PENDING = 3
PENDING_MAX_AGE = 6 * 60 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,80}$")


def pending_dir() -> Path:
    configured = getattr(settings, "EXCHANGE_PENDING_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "portal-importe"


def _pending_path(token) -> Path:
    return pending_dir() / f"{token}.upload"


def _remove(token):
    if TOKEN_RE.match(token or ""):
        _pending_path(token).unlink(missing_ok=True)


def _sweep():
    """Uploads that were never confirmed do not stay on disk."""
    limit = time.time() - PENDING_MAX_AGE
    for path in pending_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def stash_upload(request, *, kind: Kind, concept: Concept, file_name: str, data: bytes) -> str:
    directory = pending_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep()
    # A used token matters only while its upload could still be confirmed.
    locking.forget_tokens(older_than=dt.timedelta(seconds=2 * PENDING_MAX_AGE))
    pending = request.session.get(PENDING_KEY, {})
    while len(pending) >= MAX_PENDING:
        oldest = next(iter(pending))
        pending.pop(oldest)
        _remove(oldest)
    token = secrets.token_urlsafe(24)
    _pending_path(token).write_bytes(data)
    pending[token] = {
        "kind": kind.key,
        "concept": concept.pk,
        "name": file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "at": time.time(),
    }
    request.session[PENDING_KEY] = pending
    return token


def take_pending(request, token, *, kind: Kind, concept: Concept):
    """(file name, bytes) of the upload waiting under the token, if it is this user's,
    for this kind and concept, recent and unchanged on disk; None otherwise."""
    entry = request.session.get(PENDING_KEY, {}).get(token or "")
    if entry is None or not TOKEN_RE.match(token):
        return None
    if entry["kind"] != kind.key or entry["concept"] != concept.pk:
        return None
    if time.time() - entry["at"] > PENDING_MAX_AGE:
        return None
    try:
        data = _pending_path(token).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return entry["name"], data


def discard_pending(request, token):
    pending = request.session.get(PENDING_KEY, {})
    if pending.pop(token or "", None) is not None:
        request.session[PENDING_KEY] = pending
    _remove(token)

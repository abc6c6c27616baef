import time

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from concept.uploads import PendingUploads, pending_dir


@pytest.fixture
def request_(settings, tmp_path, db):
    settings.PENDING_UPLOADS_DIR = tmp_path / "wartend"
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def test_an_upload_comes_back_for_what_it_was_stashed_for(request_):
    uploads = PendingUploads("test_uploads")
    token = uploads.stash(request_, b"Zeile 1\n", kind="massnahmen", concept=7)
    assert uploads.take(request_, token, kind="massnahmen", concept=7) == (
        {"kind": "massnahmen", "concept": 7},
        b"Zeile 1\n",
    )
    assert uploads.take(request_, token, kind="sachstaende", concept=7) is None
    assert uploads.take(request_, token, kind="massnahmen", concept=8) is None
    assert uploads.take(request_, "erfunden-" * 3, kind="massnahmen", concept=7) is None


def test_an_upload_changed_on_disk_or_too_old_is_not_taken(request_):
    uploads = PendingUploads("test_uploads", max_age=60)
    token = uploads.stash(request_, b"original")
    (pending_dir() / f"{token}.upload").write_bytes(b"veraendert")
    assert uploads.take(request_, token) is None

    token = uploads.stash(request_, b"original")
    request_.session["test_uploads"][token]["at"] = time.time() - 61
    assert uploads.take(request_, token) is None


def test_the_oldest_upload_makes_room_and_a_discarded_one_is_gone(request_):
    uploads = PendingUploads("test_uploads", max_pending=2)
    first, second, third = (uploads.stash(request_, f"{n}".encode()) for n in range(3))
    assert uploads.take(request_, first) is None
    assert not (pending_dir() / f"{first}.upload").exists()
    assert uploads.take(request_, second)[1] == b"1"
    uploads.discard(request_, third)
    assert uploads.take(request_, third) is None
    assert not (pending_dir() / f"{third}.upload").exists()
    assert list(request_.session["test_uploads"]) == [second]

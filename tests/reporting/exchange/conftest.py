import pytest


@pytest.fixture(autouse=True)
def pending_uploads_in_tmp(settings, tmp_path):
    """Uploads waiting for confirmation go to the test's own directory."""
    settings.PENDING_UPLOADS_DIR = tmp_path / "importe"

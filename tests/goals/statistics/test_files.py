"""Unpacking uploaded ZIP files: the limits against archives built to harm."""

import io
import stat
import zipfile

import pytest

from goals.statistics import files
from goals.statistics.base import StatisticsFileError
from tests.goals.statistics.builders import opensdg_folder, zip_of


def make_zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as bundle:
        for entry in entries:
            if isinstance(entry, zipfile.ZipInfo):
                bundle.writestr(entry, b"x")
            else:
                name, data = entry
                bundle.writestr(name, data)
    return buffer.getvalue()


def refusal(data) -> str:
    with pytest.raises(StatisticsFileError) as error, files.zip_folder(data, "upload.zip"):
        pass
    return str(error.value)


def test_repository_zip_is_unpacked_into_its_one_folder(tmp_path):
    folder = opensdg_folder(tmp_path / "src", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    with files.zip_folder(zip_of(folder, prefix="IM_Data-main/")) as root:
        assert (root / "data" / "indicator_9-1-1.csv").is_file()
        unpacked = root
    assert not unpacked.exists()  # removed afterwards


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "data/../../evil.csv", "C:/x"])
def test_paths_out_of_the_archive_are_refused(name):
    assert "zeigt aus dem Archiv hinaus" in refusal(make_zip([(name, "1")]))


def test_links_are_refused():
    link = zipfile.ZipInfo("data/link.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert "ist eine Verknüpfung" in refusal(make_zip([link]))


def test_zip_bomb_is_refused_while_unpacking(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 1024 * 1024)
    data = make_zip([("data/a.csv", b"0" * (3 * 1024 * 1024))])
    assert len(data) < 20_000
    assert "wird entpackt zu groß" in refusal(data)


def test_too_many_entries_are_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ENTRIES", 3)
    assert "mehr als 3 Einträge" in refusal(make_zip([(f"d/{i}.csv", "1") for i in range(4)]))


def test_not_a_zip_is_refused():
    assert refusal(b"Year,GeoCode,Value\n") == "Datei upload.zip: Die Datei ist kein ZIP-Archiv."


def test_too_large_upload_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_BYTES", 10)
    assert "größer als" in refusal(make_zip([("a.csv", "1")]))


def test_location_must_be_folder_or_zip(tmp_path):
    with pytest.raises(StatisticsFileError), files.location_folder(str(tmp_path / "fehlt")):
        pass

"""Where a reading's files come from: a folder, a ZIP file on the server, or an uploaded
ZIP. A ZIP is unpacked into a temporary folder that is removed afterwards, with limits
against archives built to harm (zip bombs, "../" paths, links, thousands of entries)."""

import io
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from concept import formatting
from goals.statistics.base import MAX_FILE_BYTES, StatisticsFileError

MAX_ZIP_BYTES = 20 * 1024 * 1024  # the upload itself
MAX_ENTRIES = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all files together, unpacked
MAX_RATIO = 200  # unpacked size per packed byte of one entry; text compresses ~10:1
CHUNK = 64 * 1024


def _entry_path(info: zipfile.ZipInfo, archive: str) -> PurePosixPath | None:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (path.parts and ":" in path.parts[0]) or ".." in path.parts:
        raise StatisticsFileError(
            archive,
            _("Der Eintrag „%(name)s“ zeigt aus dem Archiv hinaus.") % {"name": name[:80]},
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise StatisticsFileError(
            archive, _("Der Eintrag „%(name)s“ ist eine Verknüpfung.") % {"name": name[:80]}
        )
    if info.is_dir() or not path.parts or path.parts[0] == "__MACOSX":
        return None
    return path


def unpack_zip(data: bytes, target: Path, archive: str = "ZIP") -> None:
    if len(data) > MAX_ZIP_BYTES:
        raise StatisticsFileError(
            archive,
            _("Das Archiv ist größer als %(size)s MB.")
            % {"size": formatting.megabytes(MAX_ZIP_BYTES)},
        )
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise StatisticsFileError(archive, _("Die Datei ist kein ZIP-Archiv.")) from None
    with bundle:
        entries = bundle.infolist()
        if len(entries) > MAX_ENTRIES:
            raise StatisticsFileError(
                archive,
                _("Das Archiv hat mehr als %(max)s Einträge.")
                % {"max": formatting.number(MAX_ENTRIES, 0)},
            )
        total = 0
        for info in entries:
            path = _entry_path(info, archive)
            if path is None:
                continue
            if info.flag_bits & 0x1:
                raise StatisticsFileError(
                    archive, _("Verschlüsselte Einträge werden nicht gelesen.")
                )
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            # Count what is really unpacked: the sizes in the archive's header can lie.
            try:
                with bundle.open(info) as packed, destination.open("xb") as out:
                    while chunk := packed.read(CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if (
                            written > MAX_FILE_BYTES
                            or total > MAX_UNPACKED_BYTES
                            or written > MAX_RATIO * max(info.compress_size, 1) + CHUNK
                        ):
                            raise StatisticsFileError(
                                archive,
                                _(
                                    "„%(name)s“ wird entpackt zu groß (höchstens %(file)s MB je "
                                    "Datei, %(total)s MB zusammen)."
                                )
                                % {
                                    "name": str(path)[:80],
                                    "file": formatting.megabytes(MAX_FILE_BYTES),
                                    "total": formatting.megabytes(MAX_UNPACKED_BYTES),
                                },
                            )
                        out.write(chunk)
            except FileExistsError:
                raise StatisticsFileError(
                    archive, _("„%(name)s“ steht doppelt im Archiv.") % {"name": str(path)[:80]}
                ) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError):
                raise StatisticsFileError(
                    archive,
                    _("„%(name)s“ lässt sich nicht entpacken.") % {"name": str(path)[:80]},
                ) from None


def content_root(folder: Path) -> Path:
    """The folder that holds the files: an archive of a repository often wraps everything in
    one folder ("IM_Data-main/"), which is stepped into."""
    for _level in range(3):
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            folder = entries[0]
        else:
            break
    return folder


@contextmanager
def zip_folder(data: bytes, archive: str = "ZIP") -> Iterator[Path]:
    temporary = Path(tempfile.mkdtemp(prefix="portal-statistik-"))
    try:
        unpack_zip(data, temporary, archive)
        yield content_root(temporary)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


@contextmanager
def upload_folder(data: bytes, name: str) -> Iterator[Path]:
    """An uploaded file as a folder to read: a ZIP unpacked, a single CSV on its own."""
    if name.lower().endswith(".zip"):
        with zip_folder(data, name) as folder:
            yield folder
        return
    if len(data) > MAX_ZIP_BYTES:
        raise StatisticsFileError(
            name,
            _("Die Datei ist größer als %(size)s MB.")
            % {"size": formatting.megabytes(MAX_ZIP_BYTES)},
        )
    temporary = Path(tempfile.mkdtemp(prefix="portal-statistik-"))
    try:
        # The name matters to flat files (table id); nothing of it may leave the folder.
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", PurePosixPath(name.replace("\\", "/")).name)
        (temporary / (safe.lstrip(".") or "upload.csv")).write_bytes(data)
        yield temporary
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


@contextmanager
def location_folder(location: str) -> Iterator[Path]:
    """A configured source's files: a folder, a ZIP file or one file on the server."""
    path = Path(location)
    if path.is_dir():
        yield content_root(path)
        return
    if path.is_file() and path.suffix.lower() == ".zip":
        if path.stat().st_size > MAX_ZIP_BYTES:
            raise StatisticsFileError(
                path.name,
                _("Das Archiv ist größer als %(size)s MB.")
                % {"size": formatting.megabytes(MAX_ZIP_BYTES)},
            )
        with zip_folder(path.read_bytes(), path.name) as folder:
            yield folder
        return
    if path.is_file():
        yield path
        return
    raise StatisticsFileError(
        location,
        _("Die Ablage der Quelle gibt es nicht (weder Ordner noch Datei)."),
    )

"""Open SDG folders and ZIP files built for a test: the layout of the real source with the
rows a test needs."""

import io
import textwrap
import zipfile
from pathlib import Path

REAL = Path(__file__).resolve().parents[3] / "fixtures" / "statistik" / "niedersachsen-im"

TITLES = """\
9-1-1-title: Testzahl in Niedersachsen
9-1-2-title: Anteil in Prozent
"""

META = """\
---
indicator_number: {number}
indicator_name: global_indicators.{id}-title
target_name: global_targets.9-1-title
data_source: Teststatistik
national_indicator_description: >-
  Eine <b>Definition</b> zum Test.
{extra}
---
"""


def opensdg_folder(root: Path, tables: dict, *, titles=TITLES, metas=None, bom=True) -> Path:
    """tables: {"9-1-1": "Year,GeoCode,Value\\n2020,K1,5\\n"}; a meta file for each unless
    metas names other text (None: no meta file)."""
    (root / "data").mkdir(parents=True)
    (root / "meta").mkdir()
    (root / "translations" / "de").mkdir(parents=True)
    (root / "translations" / "de" / "global_indicators.yml").write_text(titles, "utf-8")
    (root / "translations" / "de" / "global_targets.yml").write_text(
        "9-1-title: >-\n  <b>Test</b><br>Die Zahlen werden auf ein Vielfaches von Fünf "
        "gerundet (Teststatistik).\n",
        "utf-8",
    )
    metas = metas or {}
    for indicator_id, text in tables.items():
        prefix = "\ufeff" if bom else ""
        (root / "data" / f"indicator_{indicator_id}.csv").write_text(
            prefix + textwrap.dedent(text), "utf-8"
        )
        meta = metas.get(
            indicator_id,
            META.format(id=indicator_id, number=indicator_id.replace("-", "."), extra=""),
        )
        if meta is not None:
            (root / "meta" / f"{indicator_id}.md").write_text(meta, "utf-8")
    return root


def zip_of(folder: Path, prefix="") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()

"""Helpers that read and write spreadsheet files the way offices do."""

import csv
import io


def read_csv_bytes(content: bytes):
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def write_csv_bytes(rows, *, delimiter=";", encoding="utf-8-sig", lineterminator="\r\n"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, title="Tabelle1"):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]

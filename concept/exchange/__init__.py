"""The data exchange toolkit every app builds on: spreadsheet files in and out, and the base
of the resources that turn their rows into changes through the apps' services.

- files: `reading` (CSV, encodings, limits; `workbook` opens XLSX safely), `writing` (CSV as
  German Excel opens it, XLSX), `formulas` (cells a spreadsheet would run as a formula);
- rows: `values` (cell text, numbers, lookup keys), `cells` (one column's conversion),
  `columns` (headers and their roles), `resource` (ConceptResource, one row at a time through
  the services, all or nothing), `stale` (rows of an older export);
- `admin`: the same formats and resources in the Django admin;
- `errors`: what a file, an import or an export filter is refused with.

Each app keeps its resources (`<app>/resources.py`); which kinds exist, the import run, the
export and the screens are reporting.exchange's business.
"""

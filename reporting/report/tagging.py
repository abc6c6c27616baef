"""Hooks around WeasyPrint's PDF tagging, so that the report's structure tree is PDF/UA-clean.

WeasyPrint (70) tags what it draws, box by box and page by page. For the report that leaves
faults veraPDF and screen readers find; the hooks correct them while WeasyPrint writes the PDF:

- **Running header and footer** (the @page margin boxes) are drawn as `/Artifact` marked
  content and get no structure elements (WeasyPrint builds elements for them outside the tree).
- **Leader dots** of the table of contents (`leader(".")`, one text run per dot) are drawn as
  artifacts; no structure element for them, so the Link holds the entry's text and page number.
- **Pseudo-elements of a link** (`a::after`) become a Span, not a second Link inside the Link,
  and get no link annotation of their own (the link's annotation covers them).
- **Empty elements** (a paragraph, span, div or section without content, e.g. `<p></p>` or the
  box of the Ampel dot) are left out of the tree.
- **Lists** with bullets or numbers say which (`/ListNumbering`).
- **Table header cells** get `/Scope` (`Row` for `<th scope="row">`, else `Column`).
- **A table broken over pages** stays one Table element: the rows of later pages join the
  first page's Table, and the header WeasyPrint repeats on each page is drawn as an artifact.
  Data cells of later pages point (`/Headers`) at the first page's header cells.

The hooks act only inside `hooks(document)` (a context variable), so any other WeasyPrint
rendering in the process, e.g. a benchmark's bare render, is untouched. They rely on three
WeasyPrint internals (`pdf.stream.Stream.marked`, `pdf.tags._build_box_tree` and the layout
boxes' attributes): the veraPDF check of the test suite (tests/report_pdfs.py) is what tells
whether an upgrade of WeasyPrint keeps them working.
"""

import contextlib
import contextvars

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import stream as weasy_stream
from weasyprint.pdf import tags as weasy_tags

ARTIFACT = "_report_artifact"
_active = contextvars.ContextVar("report_tagging_hooks", default=False)
# Structure types that say nothing without content.
DROPPED_WHEN_EMPTY = frozenset({"/P", "/Span", "/Div", "/NonStruct", "/Sect"})
LIST_NUMBERING = {"decimal": "/Decimal", "disc": "/Disc", "circle": "/Circle", "square": "/Square"}


@contextlib.contextmanager
def hooks(document):
    """Tag `document` (a rendered weasyprint Document) with the corrections while it is
    written: `with hooks(document): document.write_pdf(…)`."""
    mark_artifacts(document)
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def mark_artifacts(document):
    """Flag the boxes drawn as artifacts: margin boxes, leaders and the header rows a table
    repeats on its later pages (whose cells get a throw-away mark, see `_build_box_tree`)."""
    tables_seen = set()
    for page in document.pages:
        # WeasyPrint gives a link's pseudo-elements (and the leader inside) link annotations
        # of their own, inside the link's; the link's own annotation covers them.
        page.links[:] = [link for link in page.links if "::" not in (link[3].element_tag or "")]
        for box in page._page_box.descendants():
            if isinstance(box, boxes.MarginBox) or box.is_leader:
                _flag(box)
            elif box.is_table_wrapper and box.element is not None:
                if box.element in tables_seen:
                    table = box.get_wrapped_table()
                    for group in table.children if table else ():
                        if group.is_header or group.is_footer:
                            _flag(group)
                            _give_throwaway_marks(group)
                tables_seen.add(box.element)


def _flag(box):
    for descendant in box.descendants():
        setattr(descendant, ARTIFACT, True)


def _give_throwaway_marks(group):
    """WeasyPrint links each table's cells to its header cells through `cell.mark` (the
    cell's structure element), also for header rows it has not tagged: give them one."""
    for row in group.children:
        for cell in row.children:
            cell.mark = pydyf.Dictionary({"A": pydyf.Dictionary()})


_weasy_marked = weasy_stream.Stream.marked
_weasy_build_box_tree = weasy_tags._build_box_tree


def _marked(self, box, tag):
    if _active.get() and getattr(box, ARTIFACT, False):
        return self.artifact()
    return _weasy_marked(self, box, tag)


def _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    if not _active.get():
        yield from _weasy_build_box_tree(box, parent, pdf, page_number, nums, annotations, tags)
        return
    if getattr(box, ARTIFACT, False):
        return
    for element in _weasy_build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        kind = element["S"]
        if kind in DROPPED_WHEN_EMPTY and not element["K"]:
            element.clear()  # an unreferenced empty object: no element outside the tree
            continue
        if kind == "/Link" and box.element_tag != "a" and not box.link_annotation:
            element["S"] = "/Span"
        elif kind == "/TH":
            scope = "/Row" if box.element.get("scope") == "row" else "/Column"
            element["A"]["Scope"] = scope
        elif kind == "/L" and box.style["list_style_type"] in LIST_NUMBERING:
            numbering = LIST_NUMBERING[box.style["list_style_type"]]
            element["A"] = pydyf.Dictionary({"O": "/List", "ListNumbering": numbering})
        elif kind == "/Table" and box.is_table_wrapper and box.element is not None:
            tables = pdf.__dict__.setdefault("_report_tables", {})
            first = tables.setdefault(box.element, element)
            if first is not element:
                _join_table(pdf, first, element)
                continue
        yield element


def _join_table(pdf, first, later):
    """Move the rows of a table's later page into its first page's Table element."""
    moved = [pdf.objects[int(reference.split()[0])] for reference in later["K"]]
    own_ids = set()
    cells = []
    stack = list(moved)
    while stack:
        element = stack.pop()
        if not isinstance(element, pydyf.Dictionary) or element.get("Type") != "/StructElem":
            continue
        if element["S"] == "/TH" and "ID" in element:
            own_ids.add(element["ID"].string)
        elif element["S"] == "/TD":
            cells.append(element)
        stack.extend(
            pdf.objects[int(kid.split()[0])] for kid in element["K"] if isinstance(kid, bytes)
        )
    # Headers of the repeated header rows are the first page's header cells (same row and
    # column: the header rows come first in both).
    later_prefix, first_prefix = f"{later.number}-", f"{first.number}-"
    for cell in cells:
        headers = cell["A"].get("Headers", ())
        for index, header in enumerate(headers):
            key = header.string
            if key not in own_ids and key.startswith(later_prefix):
                headers[index] = pydyf.String(first_prefix + key[len(later_prefix) :])
    for element, reference in zip(moved, later["K"], strict=True):
        element["P"] = first.reference
        first["K"].append(reference)
    later.clear()


weasy_stream.Stream.marked = _marked
weasy_tags._build_box_tree = _build_box_tree

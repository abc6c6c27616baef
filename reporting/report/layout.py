"""Checks of the report's page layout, read from WeasyPrint's layout tree.

The PDF is the district's document of record, so its layout rules are tested like its
contents: nothing reaches into the page margins, a Maßnahmensteckbrief or Kennzahlenprofil
that fits on a page is not split, no heading or caption is left alone at the foot of a page,
and no page stands nearly empty. `layout_faults` lists every breach of a rendered document
(weasyprint.Document); the tests assert that the list is empty, and the same function
explains a fault when one appears.

All lengths are CSS pixels (WeasyPrint's unit, 96 per inch).
"""

from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

# Rounding slack: WeasyPrint lays out in floats.
TOLERANCE = 0.5
# A page is near-empty when its content fills less than this share of the content height.
MIN_FILL = 0.15
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption"})
# Blocks that are kept on one page where they fit (report.css: break-inside: avoid).
KEPT_TOGETHER = frozenset({"measure", "profile"})


@dataclass(frozen=True)
class Fault:
    page: int  # 1-based
    kind: str  # "margin", "split", "heading-at-foot", "near-empty"
    detail: str

    def __str__(self):
        return f"Seite {self.page}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class PageFacts:
    number: int
    fill: float  # share of the content height used, 0–1
    starts_chapter: bool  # the page begins with a forced page break (a chapter)
    text: str  # the first words on the page, to name it in a message


def _walk(box, ancestors=()):
    """Every box below `box` in document order, with its ancestors (outermost first)."""
    yield box, ancestors
    children = getattr(box, "children", None)
    if children:
        inner = (*ancestors, box)
        for child in children:
            if isinstance(child, boxes.Box):
                yield from _walk(child, inner)


def _flow(page):
    """The page's boxes in flow (without the running header and footer)."""
    for child in page._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from _walk(child)


def _classes(box):
    element = getattr(box, "element", None)
    if element is None or not hasattr(element, "get"):
        return set()
    return set((element.get("class") or "").split())


def _text(box):
    if isinstance(box, boxes.TextBox):
        return box.text
    return "".join(b.text for b, _a in _walk(box) if isinstance(b, boxes.TextBox))


def _is_leaf(box):
    """A box that puts ink on the page: a line of text or a replaced element (SVG, image)."""
    return isinstance(box, boxes.LineBox | boxes.ReplacedBox)


def _content_area(page_box):
    left, top = page_box.content_box_x(), page_box.content_box_y()
    return left, top, left + page_box.width, top + page_box.height


def _margin_faults(number, page):
    left, _top, right, _bottom = _content_area(page._page_box)
    faults, beyond_margin = [], set()
    for box, ancestors in _flow(page):
        if isinstance(box, boxes.LineBox) or not hasattr(box, "border_width"):
            continue  # a line box is as wide as its block; its text boxes are checked
        width = box.border_width()
        if not width:
            continue
        x = box.border_box_x()
        beyond = max(x + width - right, left - x)
        if beyond > TOLERANCE:
            beyond_margin.add(id(box))
            if any(id(a) in beyond_margin for a in ancestors):
                continue  # named once, at the outermost box that reaches into the margin
            label = _text(box).strip()[:60] or box.element_tag
            faults.append(
                Fault(number, "margin", f"{box.element_tag} {beyond / 96 * 25.4:.1f} mm: {label}")
            )
    return faults


def _last_leaf(page):
    last = None
    for box, ancestors in _flow(page):
        if _is_leaf(box) and box.height:
            last = (box, ancestors)
    return last


def page_facts(document) -> list[PageFacts]:
    facts = []
    for number, page in enumerate(document.pages, start=1):
        _left, top, _right, bottom = _content_area(page._page_box)
        lowest, first_text = top, ""
        for box, _ancestors in _flow(page):
            # Ink only: a box split over pages stretches to the page's foot, so the boxes
            # around the content do not count, only lines, images and empty blocks.
            if _is_leaf(box) or (isinstance(box, boxes.BlockBox) and not box.children):
                lowest = max(lowest, box.border_box_y() + box.border_height())
            if _is_leaf(box) and not first_text:
                first_text = _text(box).strip()[:60]
        starts_chapter = number == 1 or _starts_with_forced_break(page)
        fill = (lowest - top) / (bottom - top) if bottom > top else 1.0
        facts.append(PageFacts(number, min(fill, 1.0), starts_chapter, first_text))
    return facts


def _starts_with_forced_break(page):
    """Whether the page's first block is one that asks for a page break before it."""
    for box, _ancestors in _flow(page):
        if box.style["break_before"] in ("page", "left", "right", "recto", "verso"):
            return True
        if _is_leaf(box):
            return False
    return False


def layout_faults(document) -> list[Fault]:
    """Every breach of the layout rules in a rendered document (see the module docstring).

    - margin: a box reaches beyond the page's content area (into a margin);
    - split: a Steckbrief or profile (KEPT_TOGETHER) is spread over two pages although it is
      no taller than a page;
    - heading-at-foot: the last line on a page belongs to a heading or a caption;
    - near-empty: a page's content fills less than MIN_FILL of its height, unless the page
      holds a chapter of its own (it starts with a forced break and so does the next one) or
      is the last page.
    """
    faults = []
    kept = {}  # element → [first page, last page, summed height, label]
    for number, page in enumerate(document.pages, start=1):
        faults.extend(_margin_faults(number, page))
        for box, _ancestors in _flow(page):
            if isinstance(box, boxes.BlockBox) and _classes(box) & KEPT_TOGETHER:
                entry = kept.setdefault(id(box.element), [number, number, 0.0, ""])
                entry[1] = number
                entry[2] += box.margin_height()
                entry[3] = entry[3] or _text(box).strip()[:60]
        last = _last_leaf(page)
        if last and number < len(document.pages):
            box, ancestors = last
            if {a.element_tag for a in ancestors} & HEADINGS:
                faults.append(Fault(number, "heading-at-foot", _text(box).strip()[:60]))
    # The cover has no margins: measure the page height on a page with the running header.
    sample = document.pages[min(1, len(document.pages) - 1)]._page_box if document.pages else None
    page_height = _content_area(sample)[3] - _content_area(sample)[1] if sample else 0
    for first, last, height, label in kept.values():
        if last != first and height <= page_height + TOLERANCE:
            faults.append(Fault(first, "split", f"bis Seite {last}: {label}"))
    facts = page_facts(document)
    for index, page in enumerate(facts):
        if page.fill >= MIN_FILL or index == len(facts) - 1:
            continue
        next_starts = facts[index + 1].starts_chapter
        if page.starts_chapter and next_starts:
            continue  # a short chapter on a page of its own
        faults.append(Fault(page.number, "near-empty", f"{page.fill:.0%} gefüllt: {page.text}"))
    return faults

"""The report as PDF (WeasyPrint), with a URL fetcher that only serves our own static files.

User text reaches the HTML escaped (Django autoescape), but the fetcher is the second wall:
whatever URL ends up in the document (an <img>, a <link>, a CSS url()), WeasyPrint can load
only `data:` URIs and files that the staticfiles finders resolve below /static/ — never the
network, never another file on the server, never a redirect.
"""

import base64
import functools
import hashlib
import io
import logging
import mimetypes
import os
import posixpath
import re
import tempfile
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from xml.etree import ElementTree

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint import html as weasy_html
from weasyprint.css.counters import CounterStyle
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reporting.report import tagging
from reporting.report.snapshot import report_context

logger = logging.getLogger(__name__)

# The document's own origin: relative URLs resolve against it; ".invalid" never resolves
# (RFC 2606), so nothing can be fetched from it by accident.
BASE_URL = "https://bericht.invalid/"
PDF_VARIANT = "pdf/a-3a"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
for _prefix, _uri in [
    ("pdfaExtension", PDFA_EXTENSION),
    ("pdfaSchema", PDFA_SCHEMA),
    ("pdfaProperty", PDFA_PROPERTY),
]:
    ElementTree.register_namespace(_prefix, _uri)


def _memoised_page_references(self):
    """pydyf rebuilds the tuple of all page references on every access, and WeasyPrint's
    PDF tagging accesses it once per tagged box: quadratic in the document's length (seconds
    for a 150-page report). Same result, built once per page count."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{n} 0 R".encode("ascii") for n in kids[::3]))
        self.__dict__["_page_references_cache"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_memoised_page_references)


class BlockedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves `data:` URIs and /static/… files of this portal; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.served = []
        self.refused = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            self.served.append("data:")
            return _data_uri(url)
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("Report PDF: refused to fetch %s", url[:200])
            raise BlockedURL(f"URL not allowed in the report: {url[:200]}")
        self.served.append(url)
        if path.endswith(".woff2"):
            return URLFetcherResponse(url, _font_as_ttf(path), {"Content-Type": "font/ttf"})
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _static_path(url):
        """The file behind an URL of our origin below STATIC_URL, or None."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query:
            return None
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        raw = unquote(parts.path)
        if not raw.startswith(prefix) or "\\" in raw or "\x00" in raw:
            return None
        relative = raw[len(prefix) :]
        normalised = posixpath.normpath(relative)
        if normalised != relative or normalised.startswith(("../", "/")) or normalised == "..":
            return None
        return finders.find(normalised)


def _data_uri(url):
    """Decode a data: URI here, so not even urllib's opener is involved."""
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise BlockedURL("Malformed data: URI")
    media_type, *params = header.split(";")
    if params and params[-1] == "base64":
        body = base64.b64decode(unquote_to_bytes(payload), validate=False)
    else:
        body = unquote_to_bytes(payload)
    return URLFetcherResponse(
        "data:", body, {"Content-Type": media_type or "text/plain;charset=US-ASCII"}
    )


@functools.lru_cache(maxsize=16)
def _font_as_ttf(path):
    """The WOFF2 font as TrueType, decompressed once per process and cached on disk by
    content: WeasyPrint would otherwise decompress every WOFF2 on every render (~0,5 s each)."""
    with open(path, "rb") as handle:
        data = handle.read()
    cached = Path(tempfile.gettempdir()) / f"portal-font-{hashlib.sha256(data).hexdigest()}.ttf"
    if cached.exists():
        return cached.read_bytes()
    font = TTFont(io.BytesIO(data))
    font.flavor = None
    buffer = io.BytesIO()
    font.save(buffer)
    ttf = buffer.getvalue()
    partial = cached.with_suffix(f".{os.getpid()}.part")
    try:
        partial.write_bytes(ttf)
        partial.replace(cached)
    except OSError:
        logger.warning("Report PDF: cannot cache font at %s", cached)
    return ttf


BETWEEN_TAGS = re.compile(r">\s+<")


def render_html(snapshot: dict) -> str:
    with translation.override("de"):
        html = render_to_string("reporting/report/report_pdf.html", report_context(snapshot))
    # Whitespace between tags only makes WeasyPrint build (and lay out) empty anonymous boxes;
    # the templates keep every meaningful space next to text, never between two tags.
    return BETWEEN_TAGS.sub("><", html)


def _declare_pdf_ua(metadata):
    """Add the PDF/UA-1 identification (pdfuaid:part) to the XMP that PDF/A writes.

    WeasyPrint writes one variant's identification; PDF/A-3a already requires the tagged
    structure, language and title PDF/UA asks for, so the document claims both."""
    generate = metadata.generate_rdf_metadata

    def generate_with_ua(variant, version, conformance):
        rdf = ElementTree.fromstring(generate(variant, version, conformance))
        description = rdf.find(f"{{{RDF}}}Description")
        description.set(f"{{{PDFUAID}}}part", "1")
        rdf.append(_pdfuaid_extension_schema())
        return ElementTree.tostring(rdf)

    metadata.generate_rdf_metadata = generate_with_ua


def _pdfuaid_extension_schema():
    """PDF/A admits only its predefined XMP schemas and those the file itself describes:
    this describes pdfuaid (one integer property, "part")."""

    def sub(parent, namespace, name, text=None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{namespace}}}{name}", attributes)
        element.text = text
        return element

    resource = {f"{{{RDF}}}parseType": "Resource"}
    description = ElementTree.Element(f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = sub(sub(description, PDFA_EXTENSION, "schemas"), RDF, "Bag")
    schema = sub(bag, RDF, "li", **resource)
    sub(schema, PDFA_SCHEMA, "schema", "PDF/UA Universal Accessibility Schema")
    sub(schema, PDFA_SCHEMA, "namespaceURI", PDFUAID)
    sub(schema, PDFA_SCHEMA, "prefix", "pdfuaid")
    prop = sub(sub(sub(schema, PDFA_SCHEMA, "property"), RDF, "Seq"), RDF, "li", **resource)
    sub(prop, PDFA_PROPERTY, "name", "part")
    sub(prop, PDFA_PROPERTY, "valueType", "Integer")
    sub(prop, PDFA_PROPERTY, "category", "internal")
    sub(prop, PDFA_PROPERTY, "description", "Part of ISO 14289 the file conforms to")
    return description


# WeasyPrint's default stylesheet styles ::marker and five footnote/note pseudo-elements of
# *every* element, so it computes six extra styles per element: at scale 10 that is 110,000
# styles, about a fifth of the render's memory. The report has markers only on <li> and no
# footnotes or notes.
UA_RULES_NOT_FOR_EVERY_ELEMENT = {
    "::marker {": "li::marker {",
    "::footnote-call {": None,
    "::footnote-marker {": None,
    "::note-call {": None,
    "::note-marker {": None,
    "::note-callback {": None,
}


def _report_ua_css(ua_css):
    """WeasyPrint's default stylesheet with the rules above changed (or removed); an error if
    one of them is missing (then WeasyPrint changed its stylesheet: check the list)."""
    lines = ua_css.splitlines()
    for start, replacement in UA_RULES_NOT_FOR_EVERY_ELEMENT.items():
        (index,) = [i for i, line in enumerate(lines) if line.startswith(start)]
        lines[index] = "" if replacement is None else replacement + lines[index][len(start) :]
    return "\n".join(lines)


# Its @counter-style rules go to a CounterStyle of their own, as WeasyPrint's own
# stylesheet's did: documents use a copy of that one (HTML._ua_counter_style).
REPORT_UA_STYLESHEET = CSS(string=_report_ua_css(weasy_html.UA), counter_style=CounterStyle())


class ReportHTML(HTML):
    """The report's HTML for WeasyPrint, with the trimmed default stylesheet."""

    def _ua_stylesheets(self, forms=False):
        assert not forms  # the report has no forms
        return [REPORT_UA_STYLESHEET]


def layout_html(html: str, *, fetcher: StaticOnlyFetcher | None = None):
    """WeasyPrint's layout of the report's HTML (a weasyprint.Document)."""
    fetcher = fetcher or StaticOnlyFetcher()
    return ReportHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        presentational_hints=False
    )


def render_document(snapshot: dict, *, fetcher: StaticOnlyFetcher | None = None):
    """The laid-out report (weasyprint.Document): its pages and boxes, before the PDF is
    written; reporting.report.layout checks them."""
    return layout_html(render_html(snapshot), fetcher=fetcher)


def write_pdf(document) -> bytes:
    """The laid-out report as PDF: tagged PDF/A-3a + PDF/UA-1 (reporting/report/tagging.py)."""
    _declare_pdf_ua(document.metadata)
    with tagging.hooks(document):
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(snapshot: dict, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """The PDF of a snapshot: A4, tagged PDF/A-3a + PDF/UA-1, fonts embedded."""
    return write_pdf(render_document(snapshot, fetcher=fetcher))

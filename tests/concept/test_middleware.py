import pytest
from django.urls import reverse

from concept import roles

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}


@pytest.mark.parametrize(
    "name",
    ["reports:render_status", "reporting:changes"],
)
def test_expired_session_on_an_htmx_request_redirects_the_whole_page(client, concept, name):
    kwargs = {"slug": concept.slug}
    if name == "reports:render_status":
        kwargs["job"] = 1
    url = reverse(name, kwargs=kwargs)
    page = reverse("reports:list", kwargs={"slug": concept.slug})
    response = client.get(url, headers=HTMX | {"hx-current-url": "http://testserver" + page})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=" + page
    assert response.content == b""
    # Without htmx: Django's redirect to the login page as always.
    plain = client.get(url)
    assert plain.status_code == 302 and plain.url.startswith(reverse("login") + "?next=")


# --- Security headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        reverse("login"),
        reverse("public:index"),
        "/static/css/portal.css",  # served by WhiteNoise
        "/gibt-es-nicht/",
    ],
)
def test_every_response_carries_the_cross_origin_and_permissions_headers(client, path):
    response = client.get(path)
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = {
        part.strip().split("=")[0]: part.strip().split("=")[1]
        for part in response["Permissions-Policy"].split(",")
    }
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


# --- Cache-Control: no-store behind the login ------------------------------------------------


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def test_pages_behind_the_login_are_not_stored(client, concept, member_of):
    member_of(client, concept)
    for url in (
        concept.get_absolute_url(),
        reverse("measures:list", kwargs={"slug": concept.slug}),
        reverse("password_change"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in directives(response), url


def test_a_csv_export_is_not_stored(client, concept, member_of):
    member_of(client, concept)
    url = reverse(
        "exchange:export", kwargs={"slug": concept.slug, "kind": "massnahmen", "fmt": "csv"}
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in directives(response)


def test_a_report_pdf_download_is_not_stored(client, member_of):
    from tests.factories import AnnualReportFactory, ConceptFactory

    concept = ConceptFactory()
    report = AnnualReportFactory(concept=concept, year=2024, final=True, pdf=b"%PDF-1.7 test")
    member_of(client, concept)
    response = client.get(
        reverse("reports:download", kwargs={"slug": concept.slug, "pk": report.pk})
    )
    assert response.status_code == 200 and response.content == b"%PDF-1.7 test"
    assert "no-store" in directives(response)


@pytest.mark.parametrize("logged_in", [False, True])
def test_public_pages_keep_their_public_caching(client, concept, member_of, logged_in):
    if logged_in:
        member_of(client, concept)
    for url in (reverse("public:index"), reverse("public:imprint")):
        response = client.get(url)
        assert response.status_code == 200
        assert directives(response) == {"public", "max-age=300"}, url
        assert "Cookie" not in response.get("Vary", "")


# --- Request size ------------------------------------------------------------------------------

MB = 1024 * 1024


class LazyMultipartBody:
    """A multipart upload of `size` bytes produced while it is read, counting what is read:
    a 60 MB body without 60 MB in the test's memory."""

    boundary = "grenze"

    def __init__(self, size):
        self.head = (
            f"--{self.boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="gross.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        self.filler = size - len(self.head) - len(self.tail)
        self.read_bytes = 0

    def read(self, size=-1):
        remaining = self.size - self.read_bytes
        size = remaining if size is None or size < 0 else min(size, remaining)
        start = self.read_bytes
        head_end, fill_end = len(self.head), len(self.head) + self.filler
        chunk = bytearray()
        position = start
        while position < start + size:
            if position < head_end:
                piece = self.head[position:head_end][: start + size - position]
            elif position < fill_end:
                piece = b"a" * min(fill_end - position, start + size - position)
            else:
                piece = self.tail[position - fill_end :][: start + size - position]
            chunk += piece
            position += len(piece)
        self.read_bytes += len(chunk)
        return bytes(chunk)

    def readline(self, size=-1):
        return self.read(size)


def post_body(client, url, body, *, content_length):
    # As a WSGI server passes it: the stream, its type and (unless chunked) its length.
    extra = {
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={LazyMultipartBody.boundary}",
    }
    if content_length is not None:
        extra["CONTENT_LENGTH"] = str(content_length)
    return client.generic("POST", url, **extra)


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def import_url(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    return reverse("exchange:import", kwargs={"slug": concept.slug, "kind": "sachstaende"})


def test_a_60_mb_upload_is_refused_before_its_body_is_read(client, import_url, upload_dir):
    body = LazyMultipartBody(60 * MB)
    response = post_body(client, import_url, body, content_length=body.size)
    assert response.status_code == 413
    assert body.read_bytes == 0  # neither parsed nor spooled
    assert list(upload_dir.iterdir()) == []
    assert "Anfrage zu groß" in response.text
    assert "60 MB groß" in response.text and "höchstens 26 MB" in response.text
    assert response["Content-Security-Policy"]  # the page has the usual headers


def test_without_the_limit_the_same_upload_would_be_read_whole(
    client, import_url, upload_dir, settings
):
    # The control for the test above: the body is real, Django does read it all.
    settings.PORTAL_MAX_REQUEST_BYTES = 100 * MB
    body = LazyMultipartBody(60 * MB)
    response = post_body(client, import_url, body, content_length=body.size)
    assert body.read_bytes == body.size
    assert response.status_code == 200
    assert "Die Datei ist zu groß (60,0 MB; höchstens 5 MB)." in response.text


def test_a_body_without_content_length_is_not_read(client, import_url):
    # A chunked request reaches Django without Content-Length: WSGIRequest reads 0 bytes.
    body = LazyMultipartBody(60 * MB)
    response = post_body(client, import_url, body, content_length=None)
    assert body.read_bytes == 0
    assert response.status_code == 200  # the empty form again
    assert "Dieses Feld ist zwingend erforderlich." in response.text


def test_the_limit_leaves_room_for_the_largest_evidence_upload(settings):
    assert settings.PORTAL_MAX_REQUEST_BYTES > settings.EVIDENCE_MAX_TOTAL_BYTES
    assert settings.PORTAL_MAX_REQUEST_BYTES > settings.EVIDENCE_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES > settings.EVIDENCE_MAX_FILES


def test_anonymous_oversized_requests_are_refused_too(client):
    body = LazyMultipartBody(60 * MB)
    response = post_body(client, reverse("login"), body, content_length=body.size)
    assert response.status_code == 413 and body.read_bytes == 0

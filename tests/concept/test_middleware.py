import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}


@pytest.mark.parametrize(
    "name",
    ["reports:render_status", "reporting:changes"],
)
def test_expired_session_on_an_htmx_request_redirects_the_whole_page(client, lk_vechta, name):
    kwargs = {"slug": lk_vechta.slug}
    if name == "reports:render_status":
        kwargs["job"] = 1
    url = reverse(name, kwargs=kwargs)
    page = reverse("reports:list", kwargs={"slug": lk_vechta.slug})
    response = client.get(url, headers=HTMX | {"hx-current-url": "http://testserver" + page})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=" + page
    assert response.content == b""
    # Without htmx: Django's redirect to the login page as always.
    plain = client.get(url)
    assert plain.status_code == 302 and plain.url.startswith(reverse("login") + "?next=")

"""Pages, stylesheets and icons over 1 KB leave gzipped to a browser that accepts it, and only then."""

import gzip

from tests.conftest import csrf_token

GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_page__gzipped_when_accepted_and_the_same_page_once_unpacked(client):
    plain = client.get("/login")
    packed = client.get("/login", headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None and len(plain.get_data()) > 1024
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert b"<form" in gzip.decompress(packed.get_data())


def test_signed_in_page__gzipped_and_still_never_cached(login_as):
    page = login_as("coordinator").get("/accounts", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip" and page.headers["Cache-Control"] == "no-store"
    assert b"Accounts" in gzip.decompress(page.get_data())


def test_stylesheet__gzipped_and_a_revalidation_still_answers_not_modified(client):
    sheet = client.get("/static/style.css", headers=GZIP)
    assert sheet.headers["Content-Encoding"] == "gzip"
    assert sheet.headers["ETag"].startswith('W/"')  # another encoding of the file: not byte for byte the same
    with client.get("/static/style.css", headers={**GZIP, "If-None-Match": sheet.headers["ETag"]}) as again:
        assert again.status_code == 304
    with client.get("/static/style.css") as plain:
        assert gzip.decompress(sheet.get_data()) == plain.get_data()


def test_small_or_binary_bodies__left_alone(client):
    assert client.get("/static/favicon.svg", headers=GZIP).headers.get("Content-Encoding") is None  # 200 bytes
    assert client.get("/healthz", headers=GZIP).headers.get("Content-Encoding") is None


def test_no_gzip_offered__plain_bytes(client):
    with client.get("/static/style.css", headers={"Accept-Encoding": "identity"}) as plain:
        assert plain.headers.get("Content-Encoding") is None


def test_signed_in_page__its_kept_gzip_follows_what_the_page_says_now(login_as):
    # The gzip of a page seen before is reused by its bytes' digest: a changed page is never sent as the old one.
    coordinator = login_as("coordinator")
    first = gzip.decompress(coordinator.get("/accounts", headers=GZIP).get_data())
    assert gzip.decompress(coordinator.get("/accounts", headers=GZIP).get_data()) == first
    assert coordinator.get("/accounts").get_data() == first
    response = coordinator.post("/accounts/new", data={
        "csrf_token": csrf_token(coordinator, "/accounts/new"), "username": "meena", "display_name": "Meena Das",
        "role": "facilitator", "secret": "a long enough secret 42", "language": "en"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    now = gzip.decompress(coordinator.get("/accounts", headers=GZIP).get_data())
    assert b"Meena Das" in now and b"Meena Das" not in first

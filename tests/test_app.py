"""The app shell: home page, health check, security headers, localised error pages."""

from flask import abort

from tests.factories import make_village


def test_home__shows_village_date_and_emergency_numbers(client):
    page = client.get("/").get_data(as_text=True)
    assert "Rampur" in page
    assert "Child helpline" in page and 'href="tel:1098"' in page
    # The child helpline comes first, before the general emergency number.
    assert page.index("1098") < page.index("112")
    from hub import clock
    assert str(clock.today().year) in page


def test_home__without_numbers_says_so(app, client):
    with app.app_context():
        make_village(numbers=[])
    page = client.get("/").get_data(as_text=True)
    assert "No emergency numbers are set up yet" in page


def test_healthz__reports_status_version_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["state"] == "ok"
    assert body["database"]["schema"] >= 2
    assert body["database"]["sqlite_version"].count(".") == 2


def test_security_headers__on_every_response(client):
    for path in ("/", "/healthz", "/static/style.css", "/no-such-page"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_visitors__get_no_cookie_at_all(client):
    assert "Set-Cookie" not in client.get("/").headers


def test_session_cookie__httponly_lax_and_never_dated(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A phone whose clock is right must not see a cookie dated by a hub whose clock is wrong.
    assert "Expires" not in cookie and "Max-Age" not in cookie


def test_error_pages__localised_html(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert 'lang="es"' in response.get_data(as_text=True)
    assert "Página no encontrada" in response.get_data(as_text=True)


def test_error_pages__every_code_renders(app, client, monkeypatch):
    from hub import access

    for code in (400, 403, 404, 405, 429, 500, 503):
        app.add_url_rule(f"/boom/{code}", f"boom{code}", lambda code=code: abort(code))
        monkeypatch.setitem(access.ACCESS, f"boom{code}", access.EVERYONE)
    app.add_url_rule("/crash", "crash", lambda: 1 / 0)
    monkeypatch.setitem(access.ACCESS, "crash", access.EVERYONE)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for code in (400, 403, 404, 405, 429, 500, 503):
        response = client.get(f"/boom/{code}")
        assert response.status_code == code
        assert "<h1>" in response.get_data(as_text=True)
    crash = client.get("/crash")
    assert crash.status_code == 500
    assert "Something went wrong on the hub" in crash.get_data(as_text=True)


def test_error_pages__json_for_api_clients(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_language_picker__a_link_remembers_the_choice_in_a_cookie(client):
    response = client.get("/language/hi?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'lang="hi"' in page
    assert "आपातकालीन" in page  # "Emergency numbers" in Hindi


def test_language_picker__never_redirects_off_the_hub(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/language/es", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_language_picker__unknown_language_is_404(client):
    assert client.get("/language/xx").status_code == 404


def test_language_picker__signed_in_choice_is_kept_by_the_account(app, login_as):
    from hub.auth.models import User
    from tests.conftest import csrf_token

    member = login_as("member")
    page = member.get("/").get_data(as_text=True)
    assert 'formaction="/language/bn"' in page
    member.post("/language/bn", data={"next": "/", "csrf_token": csrf_token(member)})
    assert User.get(User.username == "member").language == "bn"
    assert 'lang="bn"' in member.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)


def test_language__accept_language_then_default(client):
    assert 'lang="bn"' in client.get("/", headers={"Accept-Language": "bn-BD,bn;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_csrf__post_without_token_is_refused(login_as):
    member = login_as("member")
    response = member.post("/language/es", data={"next": "/"})
    assert response.status_code == 400
    assert "hub_lang" not in response.headers.get("Set-Cookie", "")


def test_405__says_which_methods_the_address_takes(client):
    reply = client.get("/logout")
    assert reply.status_code == 405 and reply.headers["Allow"] == "OPTIONS, POST"

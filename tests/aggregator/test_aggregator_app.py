"""The aggregator app's handling of the database connection per request (SQLite and PostgreSQL, conftest)."""

from federation.aggregator import db


def test_request__leaves_open_a_connection_it_did_not_open(district, api):
    assert not db.database.is_closed()          # `district` holds it open

    assert api.get("/healthz").status_code == 200
    assert api.get("/login").status_code == 200

    assert not db.database.is_closed()
    assert db.database.execute_sql("SELECT 1").fetchone() == (1,)


def test_request__closes_the_connection_it_opened(aggregator_app, api):
    opened = []
    aggregator_app.config["WTF_CSRF_ENABLED"] = False
    aggregator_app.after_request(lambda reply: opened.append(not db.database.is_closed()) or reply)
    with aggregator_app.app_context():
        if not db.database.is_closed():
            db.database.close()

        reply = api.post("/login", data={"username": "nobody", "password": "not a password"})

        assert reply.status_code == 401               # the sign-in looked the admin up: it connected
        assert opened == [True]
        assert db.database.is_closed()                # and closed what it opened


def test_warm_up__compiles_every_district_page_before_the_first_officer(aggregator_app):
    from federation.aggregator.app import WARM_TEMPLATES, warm_up

    warm_up(aggregator_app)
    cached = {key[1] for key in aggregator_app.jinja_env.cache.keys()}
    assert set(WARM_TEMPLATES) <= cached


def test_warm_up__opens_the_first_connection_before_the_first_officer(aggregator_app):
    from federation.aggregator.app import warm_up

    db.close_all()
    assert not db.database.obj._connections          # no connection in the pool after a start

    warm_up(aggregator_app)

    assert len(db.database.obj._connections) == 1   # the pages' reads made once, their connection kept

"""What pages cost the hub, seen from outside: a page view writes nothing, what every page looks up is kept only
until something changes, a group's monthly figures follow every save, long member lists come a page at a time."""

from datetime import date, datetime

import pytest

from hub.auth.models import User
from hub.db import database
from hub.notices.models import Receipt
from hub.sessions.models import GroupMonth, Meeting
from tests.conftest import csrf_token
from tests.factories import make_group, make_meeting, make_person

TODAY = date(2026, 11, 21)


NOW = datetime(2026, 11, 21, 9, 30)
pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def group_of(app):
    """group_of(n) -> a children's group of n consenting members that the facilitator belongs to."""
    def make(count, name="Children's group"):
        from hub.groups.service import set_groups_of

        with app.app_context(), database.connection_context():
            group = make_group(name=name, kind="childrens_group")
            for number in range(count):
                make_person(group, name=f"Child {number:04d}")
            set_groups_of(User.get(User.username == "facilitator"), [group.id])
            return group
    return make


def test_home_page__an_alert_is_recorded_seen_once_and_later_views_write_nothing(app, login_as):
    coordinator, member = login_as("coordinator"), login_as("member")
    coordinator.post("/notices/new", data={"audience": "all", "title": "Flood warning", "body": "Stay away.",
                                           "urgent": "y", "csrf_token": csrf_token(coordinator, "/notices/new")})
    assert "Flood warning" in member.get("/").get_data(as_text=True)
    written = database.generation
    for _ in range(3):
        assert "Flood warning" in member.get("/").get_data(as_text=True)
    assert database.generation == written  # no commit at all: nothing was written by the page views
    with app.app_context(), database.connection_context():
        assert Receipt.select().count() == 1


def test_signed_in_account__deactivated_is_signed_out_on_its_next_page(app, login_as):
    coordinator, member = login_as("coordinator"), login_as("member")
    assert member.get("/groups").status_code == 200  # its account is now kept in memory
    with app.app_context(), database.connection_context():
        target = User.get(User.username == "member")
    coordinator.post(f"/accounts/{target.id}/active",
                     data={"csrf_token": csrf_token(coordinator, f"/accounts/{target.id}")})
    with app.app_context(), database.connection_context():
        assert not User.get_by_id(target.id).active
    response = member.get("/groups")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_village_name__a_new_name_shows_on_the_next_page(app, login_as):
    from hub.village.service import save_village

    member = login_as("member")
    member.get("/")
    with app.app_context(), database.connection_context():
        save_village("Nayagaon", "IN", "Gaya", ("hi", "en"))
    assert "Nayagaon" in member.get("/").get_data(as_text=True)


def test_group_page__monthly_figures_follow_each_save_and_a_session_moved_to_another_month(app, login_as,
                                                                                           group_of):
    group = group_of(4)
    facilitator = login_as("facilitator")
    with app.app_context(), database.connection_context():
        people = list(group.members)
        meeting = make_meeting(group, datetime(2026, 10, 5, 16), attendance={member.person: "absent"
                                                                             for member in people})
    page = facilitator.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "(0 of 4)" in page
    roster = facilitator.get(f"/sessions/{meeting.id}/roster")
    assert roster.status_code == 200
    ticked = [str(member.person.id) for member in people[:3]]
    facilitator.post(f"/sessions/{meeting.id}/roster",
                     data={"p": ticked, "csrf_token": csrf_token(facilitator, f"/sessions/{meeting.id}/roster")})
    assert "(3 of 4)" in facilitator.get(f"/groups/{group.id}").get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert [(row.month, row.present, row.expected) for row in GroupMonth.select()] == [("2026-10", 3, 4)]
        from hub.sessions.service import MeetingPlan, update_meeting

        held = Meeting.get_by_id(meeting.id)
        update_meeting(held, held.version, MeetingPlan("life_skills", datetime(2026, 11, 2, 16), "held"),
                       User.get(User.username == "coordinator"), TODAY)
        months = {row.month: (row.present, row.expected) for row in GroupMonth.select()}
    assert months == {"2026-10": (0, 0), "2026-11": (3, 4)}
    assert "(3 of 4)" in facilitator.get(f"/groups/{group.id}").get_data(as_text=True)


def test_group_page__a_big_group_lists_its_members_a_hundred_at_a_time(login_as, group_of):
    group = group_of(130)
    facilitator = login_as("facilitator")
    first = facilitator.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Child 0000" in first and "Child 0099" in first and "Child 0100" not in first
    assert f"/groups/{group.id}?page=2" in first and "Previous page" not in first
    second = facilitator.get(f"/groups/{group.id}?page=2").get_data(as_text=True)
    assert "Child 0100" in second and "Child 0129" in second and "Child 0099" not in second
    assert f"/groups/{group.id}?page=1" in second and "Next page" not in second


def test_group_page__a_small_group_lists_everyone_without_pages(login_as, group_of):
    group = group_of(12)
    page = login_as("facilitator").get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Child 0000" in page and "Child 0011" in page and "Next page" not in page


def test_migration_0013__fills_the_monthly_figures_from_the_attendance_already_taken(tmp_path):
    import sqlite3

    from hub import db, migrations

    path = tmp_path / "old.sqlite3"
    db.init(path)
    try:
        migrations.migrate(db.database, target=12)
        for sql in ("INSERT INTO community_group (id, name, kind, created_at) VALUES (1, 'G', 'childrens_group', "
                    "'2026-01-01 00:00:00')",
                    "INSERT INTO person (id, name, name_key, sex, birth_year, created_at) VALUES "
                    "(1, 'A', '', 'female', 2014, '2026-01-01'), (2, 'B', '', 'male', 2014, '2026-01-01')",
                    "INSERT INTO meeting (id, group_id, kind, starts_at, status, created_at) VALUES "
                    "(1, 1, 'life_skills', '2026-09-03 16:00:00', 'held', '2026-09-01'), "
                    "(2, 1, 'life_skills', '2026-09-10 16:00:00', 'held', '2026-09-01'), "
                    "(3, 1, 'life_skills', '2026-10-01 16:00:00', 'planned', '2026-09-01')",
                    "INSERT INTO attendance (meeting_id, person_id, status) VALUES (1, 1, 'present'), "
                    "(1, 2, 'absent'), (2, 1, 'present'), (2, 2, 'excused')"):
            db.database.execute_sql(sql)
        migrations.migrate(db.database)
    finally:
        db.database.close_all()
    rows = sqlite3.connect(path).execute("SELECT group_id, month, present, expected FROM group_month").fetchall()
    assert rows == [(1, "2026-09", 2, 4)]  # the planned session of October has no attendance and no row


def test_secret_hashed_with_the_old_parameters__still_signs_in(app, client):
    from werkzeug.security import generate_password_hash

    from hub.auth.service import HASH_METHOD

    with app.app_context(), database.connection_context():
        account = User.get(User.username == "member")
        account.secret_hash = generate_password_hash("secret-member-1", "scrypt:32768:8:1")  # werkzeug's default
        account.save()
    assert HASH_METHOD != "scrypt:32768:8:1"
    response = client.post("/login", data={"username": "member", "password": "secret-member-1",
                                            "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login")


def test_serving_command__keeps_unused_database_drivers_out_of_memory(tmp_path):
    import subprocess
    import sys

    probe = ("import sys\n"
             "sys.argv = ['communityhub', 'run', '--help']\n"
             "from hub import launch\n"
             "try:\n    launch.main()\nexcept SystemExit:\n    pass\n"
             "print(sys.modules.get('psycopg2', 'absent') is None, launch.tune_allocator())\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split()[-2:] == ["True", "True"]

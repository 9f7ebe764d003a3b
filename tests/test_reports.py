"""What people want to see: attendance by month, catch-up lists, a child's history, a facilitator's record."""

from datetime import date, datetime

import pytest

from hub.auth.models import User
from hub.curriculum.models import Topic
from hub.reports.chart import rate_bars
from hub.reports.service import (
    MonthRate,
    attendance_by_month,
    catch_up,
    facilitator_record,
    months_back,
    overall_rate,
    person_history,
)
from tests.factories import make_group, make_meeting, make_person

TODAY = date(2026, 11, 21)


@pytest.fixture
def village(app_context):
    group = make_group(name="Older children")
    anita, babu, chitra = (make_person(group, name=name) for name in ("Anita", "Babu", "Chitra"))
    rights = Topic.create(code=None, position=1)
    trafficking = Topic.create(code=None, position=2)
    facilitator = User.get(User.username == "facilitator")
    make_meeting(group, datetime(2026, 9, 3, 16), topics=[rights], facilitators=[facilitator],
                 attendance={anita: "present", babu: "present", chitra: "absent"})
    make_meeting(group, datetime(2026, 11, 2, 16), topics=[trafficking], facilitators=[facilitator],
                 attendance={anita: "present", babu: "excused", chitra: "absent"})
    make_meeting(group, datetime(2026, 11, 30, 16), status="planned", facilitators=[facilitator])
    return group, (anita, babu, chitra), (rights, trafficking), facilitator


def test_months_back__crosses_the_year():
    assert months_back(date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_attendance_by_month__held_sessions_only_and_empty_months_kept(village):
    group = village[0]
    months = attendance_by_month(group, TODAY, 3)
    assert months == [MonthRate("2026-09", 2, 3), MonthRate("2026-10", 0, 0), MonthRate("2026-11", 1, 3)]
    assert months[1].rate is None
    assert overall_rate(group) == (3, 6)


def test_chart__a_month_without_sessions_has_no_bar():
    bars = rate_bars([MonthRate("2026-09", 2, 4), MonthRate("2026-10", 0, 0), MonthRate("2026-11", 4, 4)])
    assert [bar.percent for bar in bars] == [50, None, 100]
    assert bars[2].height == 2 * bars[0].height and bars[1].height == 0
    assert [bar.label for bar in bars] == ["09", "10", "11"]


def test_catch_up__who_missed_every_session_on_a_topic(village):
    group, (anita, babu, chitra), (rights, trafficking), _ = village
    missed = {item.topic.id: [person.name for person in item.people] for item in catch_up(group)}
    assert missed == {rights.id: ["Chitra"], trafficking.id: ["Babu", "Chitra"]}


def test_person_history__sessions_and_topics(village):
    _, (anita, babu, chitra), (rights, trafficking), _ = village
    history = person_history(babu)
    assert (history.present, history.expected) == (1, 2)
    assert [topic.id for topic in history.topics] == [rights.id]
    assert person_history(chitra).topics == []


def test_facilitator_record__counts_what_they_ran(village):
    _, _, (rights, trafficking), facilitator = village
    record = facilitator_record(facilitator, TODAY)
    assert (record.held, record.planned, record.present, record.expected) == (2, 1, 3, 6)
    assert record.by_kind == {"life_skills": 2}
    assert sorted(topic.id for topic, times in record.topics) == [rights.id, trafficking.id]


def test_pages__group_chart_catch_up_child_history_and_my_record(app, login_as):
    with app.app_context():
        group = make_group(name="Sunflower group")
        anita, babu = make_person(group, name="Anita"), make_person(group, name="Babu")
        topic = Topic.get(Topic.code == "trafficking")  # shipped by migration 0006
        facilitator = User.get(User.username == "facilitator")
        from hub.groups.service import set_groups_of
        set_groups_of(facilitator, [group.id])
        make_meeting(group, datetime.now().replace(day=1, hour=16, minute=0), topics=[topic],
                     facilitators=[facilitator], attendance={anita: "present", babu: "absent"})
    client = login_as("facilitator")
    group_page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "50% of the children on the roster came" in group_page
    assert '<svg viewBox="0 0 320 140" role="img"' in group_page and 'class="chart-bar"' in group_page
    catch_up_page = client.get(f"/groups/{group.id}/catch-up").get_data(as_text=True)
    assert "Trafficking" in catch_up_page and "Babu" in catch_up_page and "Anita" not in catch_up_page
    child_page = client.get(f"/people/{anita.id}").get_data(as_text=True)
    assert "Came to 1 of 1 sessions." in child_page and "Trafficking" in child_page
    record = client.get("/my-record").get_data(as_text=True)
    assert "Sessions held" in record and "1 of 2 (50%)" in record


def test_pages__catch_up_of_another_group_is_not_found(app, login_as):
    with app.app_context():
        group = make_group(name="Not mine")
    assert login_as("facilitator").get(f"/groups/{group.id}/catch-up").status_code == 404

"""Groups: the coordinator creates, edits and archives them; accounts belong to groups; need to know."""

import pytest

from hub.auth.models import User
from hub.groups.models import AccountGroup, Group
from hub.groups.service import create_group, set_groups_of
from tests.conftest import csrf_token


@pytest.fixture
def groups(app):
    with app.app_context():  # left before any request: a request must get an app context of its own
        youth = create_group("Youth forum", Group.YOUTH_FORUM)
        mothers = create_group("Mothers' group", Group.MOTHERS_GROUP)
        set_groups_of(User.get(User.username == "facilitator"), [youth.id])
    return youth, mothers


def test_create__edit_and_archive(login_as):
    coordinator = login_as("coordinator")
    response = coordinator.post("/groups/new", data={"name": "Care group", "kind": "care_group",
                                                     "description": "Adults who watch over children",
                                                     "csrf_token": csrf_token(coordinator)})
    group = Group.get(Group.name == "Care group")
    assert response.headers["Location"] == f"/groups/{group.id}"
    coordinator.post(f"/groups/{group.id}/edit", data={"name": "Care group Rampur", "kind": "care_group",
                                                       "description": "", "csrf_token": csrf_token(coordinator)})
    coordinator.post(f"/groups/{group.id}/archive", data={"csrf_token": csrf_token(coordinator)})
    group = Group.get_by_id(group.id)
    assert (group.name, group.archived) == ("Care group Rampur", True)
    assert "Archived" in coordinator.get("/groups").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"name": "", "kind": "care_group"}, "Please fill this in."),
    ({"name": "Club", "kind": "book_club"}, "Not a valid choice"),
    ({"name": "youth forum", "kind": "local_club"}, "There is already a group called youth forum."),
])
def test_create__bad_input_saves_nothing(groups, login_as, data, message):
    coordinator = login_as("coordinator")
    before = Group.select().count()
    response = coordinator.post("/groups/new", data={**data, "csrf_token": csrf_token(coordinator)})
    assert message in response.get_data(as_text=True)
    assert Group.select().count() == before


def test_need_to_know__a_facilitator_sees_only_their_groups(groups, login_as):
    youth, mothers = groups
    facilitator = login_as("facilitator")
    listing = facilitator.get("/groups").get_data(as_text=True)
    assert "Youth forum" in listing and "Mothers&#39; group" not in listing
    assert facilitator.get(f"/groups/{youth.id}").status_code == 200
    assert facilitator.get(f"/groups/{mothers.id}").status_code == 404
    assert facilitator.post(f"/groups/{youth.id}/archive", data={"csrf_token": csrf_token(facilitator)}
                            ).status_code == 403


def test_accounts__belong_to_groups_chosen_on_the_account_page(groups, login_as):
    youth, mothers = groups
    coordinator = login_as("coordinator")
    coordinator.post("/accounts/new", data={
        "display_name": "Rita", "username": "rita", "role": "member", "language": "", "secret": "556677",
        "groups": [str(mothers.id)], "csrf_token": csrf_token(coordinator)})
    rita = User.get(User.username == "rita")
    assert [link.group_id for link in AccountGroup.select().where(AccountGroup.user == rita)] == [mothers.id]
    coordinator.post(f"/accounts/{rita.id}", data={
        "display_name": "Rita", "role": "member", "language": "", "groups": [str(youth.id), str(mothers.id)],
        "csrf_token": csrf_token(coordinator)})
    assert {link.group_id for link in AccountGroup.select().where(AccountGroup.user == rita)} == {
        youth.id, mothers.id}
    page = coordinator.get(f"/groups/{youth.id}").get_data(as_text=True)
    assert "Rita" in page


def test_accounts__an_archived_or_unknown_group_is_refused(groups, login_as):
    youth, mothers = groups
    coordinator = login_as("coordinator")
    response = coordinator.post("/accounts/new", data={
        "display_name": "Rita", "username": "rita", "role": "member", "language": "", "secret": "556677",
        "groups": ["999"], "csrf_token": csrf_token(coordinator)})
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "rita").exists()

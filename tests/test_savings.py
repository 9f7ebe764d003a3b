"""The savings ledger: a cycle and its members, the meeting sheet, entries and their bad input (nothing saved),
the two-key rule, reversals (audited, never edits), loans overdue, the share-out, who sees what (each role, a
member, an officer, an account outside the group), untrusted text through every field, and the demo's ledger."""

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.people.models import GroupMember
from hub.savings import ledger, money
from hub.savings.cycles import create_cycle, link_account
from hub.savings.entries import record_entry, request_loan
from hub.savings.keys import approve, propose_share_out, reverse
from hub.savings.models import (
    DEPOSIT,
    FINE,
    INCOME,
    LOAN,
    PAYOUT,
    REPAYMENT,
    REVERSAL,
    SavingsApproval,
    SavingsCycle,
    SavingsEntry,
    SavingsMeeting,
    SavingsMember,
    SavingsPresence,
)
from hub.savings.service import SavingsError, balances
from tests.conftest import csrf_token
from tests.factories import make_group, make_person, make_user
from tests.markup import executable_markup
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
PIN = "482913"
PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


class Book:
    """A mothers' group with three officers and two members, a cycle, and accounts linked to four of them."""

    def __init__(self):
        self.group = make_group(name="Mothers' group", kind=Group.MOTHERS_GROUP)
        self.people = {}
        for name, role in (("Chanda", "chair"), ("Tara", "treasurer"), ("Sita", "secretary"), ("Meena", "member"),
                           ("Rani", "member")):
            self.people[name] = make_person(name=name, birth_year=1990)
            GroupMember.create(group=self.group, person=self.people[name], role=role, joined_on=date(2026, 1, 5))
        self.outsider = make_person(name="Outsider", birth_year=1988)
        self.cycle = create_cycle(self.group, "Savings 2026", date(2026, 1, 10), date(2026, 12, 20), "50", "10", "2")
        self.members = {m.person.name: m for m in SavingsMember.select().where(SavingsMember.cycle == self.cycle)}
        self.accounts = {"Meena": User.get(User.username == "member")}
        for name in ("Chanda", "Tara", "Sita"):
            self.accounts[name] = make_user(username=name.lower(), role=User.MEMBER, secret=PIN,
                                            must_change_secret=False, display_name=name)
        for name, account in self.accounts.items():
            AccountGroup.create(user=account, group=self.group)
            link_account(self.cycle, self.members[name], account)

    def deposit(self, name, amount="500", **extra):
        return record_entry(self.cycle, DEPOSIT, amount, date(2026, 2, 1), member=self.members[name], **extra)

    def loan(self, name="Meena", amount="1000", months=3, approvers=("Chanda", "Tara")):
        loan = request_loan(self.cycle, self.members[name], amount, months, on_day=date(2026, 3, 1))
        for approver in approvers:
            approve(loan, user=self.accounts[approver])
        return loan

    def url(self, path=""):
        return f"/savings/{self.cycle.id}{path}"


@pytest.fixture
def book(app):
    with app.app_context():
        return Book()


def sign_in(app, username, secret=PIN):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": secret,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client, path, follow_redirects=False, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/concerns/mine")},
                       follow_redirects=follow_redirects)


def rows():
    return tuple(model.select().count() for model in (SavingsEntry, SavingsApproval, SavingsMeeting,
                                                      SavingsPresence))


def actions():
    return [event.action for event in AuditEvent.select().where(AuditEvent.action.startswith("savings."))
            .order_by(AuditEvent.id)]


# A cycle and its members.

def test_cycle__starts_with_the_groups_consenting_members(app, book):
    with app.app_context():
        no_consent = make_person(name="Gita", birth_year=1985, consent_by="", consent_on=None)
        GroupMember.create(group=book.group, person=no_consent, joined_on=date(2026, 1, 5))
        assert sorted(book.members) == ["Chanda", "Meena", "Rani", "Sita", "Tara"]
        assert actions()[:1] == ["savings.cycle_created"]
    coordinator = sign_in(app, "coordinator", "secret-rotanidrooc-1")
    page = coordinator.get(book.url("/members")).get_data(as_text=True)
    assert "Chanda" in page and "Gita" not in page


def test_new_cycle__form_refuses_bad_values_and_saves_nothing(app, book, login_as):
    coordinator = login_as("coordinator")
    before = SavingsCycle.select().count()
    response = post(coordinator, "/savings/new", group=str(book.group.id), name="Next", starts_on="2026-12-01",
                    ends_on="2026-11-01", share_value="fifty", social_amount="-5", rate="two")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "ends_on") == ["The share-out comes after the start."]
    assert SavingsCycle.select().count() == before
    response = post(coordinator, "/savings/new", group=str(book.group.id), name="Next", starts_on="2026-12-01",
                    ends_on="2027-11-01", share_value="fifty", social_amount="", rate="2")
    assert field_errors(response.get_data(as_text=True), "share_value") == [
        "Give an amount in digits, such as 250 or 250.50."]
    response = post(coordinator, "/savings/new", group=str(book.group.id), name="Next", starts_on="2026-12-01",
                    ends_on="2027-11-01", share_value="20", social_amount="5", rate="2.5")
    assert response.status_code == 302
    cycle = SavingsCycle.select().order_by(SavingsCycle.id.desc()).get()
    assert (cycle.share_value, cycle.social_amount, cycle.rate_bp) == (2000, 500, 250)


# Money: integer minor units in, the village's currency out.

@pytest.mark.parametrize("language, typed, minor", [
    ("en", "250", 25000), ("en", "250.5", 25050), ("en", "250,50", 25050), ("en", "1,250", 125000),
    ("en", "1,250.75", 125075), ("en", " 12 ", 1200), ("en", "0.01", 1), ("hi", "1,250", 125000),
    ("es", "1.250", 125000), ("es", "1.250,50", 125050), ("es", "250.50", 25050)])
def test_money__parses_what_a_treasurer_types(app, language, typed, minor):
    with app.test_request_context(), force_locale(language):
        assert money.parse(typed) == minor


@pytest.mark.parametrize("typed, message", [
    ("-50", "An amount cannot be below zero: money going out is its own kind of entry."),
    ("fifty", "Give an amount in digits, such as 250 or 250.50."),
    ("", "Give an amount in digits, such as 250 or 250.50."),
    ("NaN", "Give an amount in digits, such as 250 or 250.50."),
    ("0", "The amount must be more than zero."),
    ("12.345", "Give at most 2 digits after the point."),
    ("99999999999999", "This amount is too large."),
])
def test_money__refuses_what_is_not_an_amount(app_context, typed, message):
    with pytest.raises(money.AmountError, match="^" + message.replace(".", r"\.") + "$"):
        money.parse(typed)


def test_money__shown_in_the_currency_and_language(app):
    with app.test_request_context(), force_locale("en"):
        assert money.show(125050) == "₹1,250.50"
    with app.test_request_context(), force_locale("hi"):
        assert "1,250.50" in money.show(125050)


@pytest.mark.parametrize("language", ["en", "hi", "bn", "es"])
def test_money__written_exactly_as_babel_writes_it(app, language):
    from decimal import Decimal

    from babel.numbers import format_currency

    with app.test_request_context(), force_locale(language):
        for code in money.CURRENCIES.values():
            for minor in (0, 1, 99, 100, 12345, 123456, 1234567, 123456789, 10**12, -5, -123456789):
                assert money.show(minor, code) == format_currency(Decimal(minor).scaleb(-2), code, locale=language)


def test_passbook_and_ledger__follow_every_change(app, book):
    """The long parts of both pages are kept in memory until the database changes: never a stale page."""
    treasurer = sign_in(app, "tara")
    passbook, ledger_page = book.url(f"/passbook/{book.members['Meena'].id}"), book.url("/ledger")
    assert "₹0.00" in treasurer.get(passbook).get_data(as_text=True)
    treasurer.get(ledger_page)
    with app.app_context():
        entry = book.deposit("Meena", "750")
    assert "₹750.00" in treasurer.get(passbook).get_data(as_text=True)
    assert "₹750.00" in treasurer.get(ledger_page).get_data(as_text=True)
    with app.app_context():
        reverse(entry, "wrong")
    assert "reversed: does not count" in treasurer.get(passbook).get_data(as_text=True)


# The meeting sheet.

def test_meeting__roll_call_shares_and_social_fund(app, book):
    treasurer = sign_in(app, "tara")
    m = book.members
    response = treasurer.post(book.url("/meetings/new"), data={
        "held_on": "2026-11-20", "present": [str(m["Chanda"].id), str(m["Meena"].id)],
        f"shares-{m['Chanda'].id}": "2", f"shares-{m['Meena'].id}": "5", f"shares-{m['Rani'].id}": "1",
        "social": [str(m["Meena"].id)], "csrf_token": csrf_token(treasurer, book.url("/meetings/new"))})
    assert response.status_code == 302
    with app.app_context():
        now = balances(book.cycle)
        assert now.savings[m["Chanda"].id] == 10000 and now.savings[m["Meena"].id] == 25000
        assert now.savings[m["Rani"].id] == 5000  # sent her savings with a neighbour
        assert now.social == 1000 and now.cash == 41000
        meeting = SavingsMeeting.get()
        assert {(p.member_id, p.present) for p in meeting.roll} == {
            (m["Chanda"].id, True), (m["Meena"].id, True), (m["Rani"].id, False), (m["Sita"].id, False),
            (m["Tara"].id, False)}
        assert actions()[-1] == "savings.meeting_recorded"


def test_meeting__bad_shares_or_same_day_refused_nothing_saved(app, book):
    treasurer = sign_in(app, "tara")
    m = book.members
    before = rows()
    response = treasurer.post(book.url("/meetings/new"), data={
        "held_on": "2026-11-20", "present": [str(m["Meena"].id)], f"shares-{m['Meena'].id}": "2",
        f"shares-{m['Rani'].id}": "-1", "csrf_token": csrf_token(treasurer, book.url("/meetings/new"))})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, f"shares-{m['Rani'].id}") == ["Give a number of shares from 0 to 5."]
    assert 'value="-1"' in page  # kept as typed
    assert rows() == before
    post(treasurer, book.url("/meetings/new"), held_on="2026-11-20")
    response = post(treasurer, book.url("/meetings/new"), held_on="2026-11-20")
    assert field_errors(response.get_data(as_text=True), "held_on") == ["A meeting on this day is already recorded."]
    response = post(treasurer, book.url("/meetings/new"), held_on="2026-11-29")
    assert field_errors(response.get_data(as_text=True), "held_on") == [
        "This date is after today (Nov 22, 2026 on the hub's clock)."]


# Entries and their bad input.

def entry_form(**overrides):
    data = {"kind": "deposit", "member": "", "loan": "", "amount": "500", "on_day": "2026-11-20", "note": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("amount, message", [
    ("-500", "An amount cannot be below zero: money going out is its own kind of entry."),
    ("five hundred", "Give an amount in digits, such as 250 or 250.50."),
    ("0", "The amount must be more than zero."),
    ("525", "Savings are bought in shares of ₹50.00: give a multiple of it."),
])
def test_entry__bad_amount_shown_beside_the_field_nothing_saved(app, book, amount, message):
    treasurer = sign_in(app, "tara")
    before = rows()
    response = post(treasurer, book.url("/entries/new"), **entry_form(member=str(book.members["Meena"].id),
                                                                     amount=amount))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "amount") == [message]
    assert f'value="{escape(amount)}"' in page
    assert rows() == before


def test_entry__someone_not_in_the_group_refused(app, book):
    treasurer = sign_in(app, "tara")
    with app.app_context():
        other = create_cycle(make_group(name="Other mothers", kind=Group.MOTHERS_GROUP), "Other", date(2026, 1, 1),
                             date(2026, 12, 1), "10", "", "1")
        stranger = make_person(name="Stranger", birth_year=1980)
        GroupMember.create(group=other.group, person=stranger, joined_on=date(2026, 1, 5))
        from hub.savings.cycles import add_new_members
        add_new_members(other)
        elsewhere = SavingsMember.get(SavingsMember.cycle == other)
    before = rows()
    for member in (str(elsewhere.id), "", "x"):
        response = post(treasurer, book.url("/entries/new"), **entry_form(member=member))
        assert field_errors(response.get_data(as_text=True), "member") == [
            "Choose a member of this group from the list."]
        response = post(treasurer, book.url("/loans/new"), member=member, amount="100", rate="2", months="3",
                        on_day="2026-11-20", note="")
        assert field_errors(response.get_data(as_text=True), "member") == [
            "Choose a member of this group from the list."]
    assert rows() == before


def test_loan__to_a_member_who_left_the_group_refused(app, book):
    with app.app_context():
        book.deposit("Rani", "5000")
        GroupMember.update(left_on=date(2026, 6, 1)).where(GroupMember.person == book.people["Rani"]).execute()
        with pytest.raises(SavingsError, match="Rani is no longer a member of the group"):
            request_loan(book.cycle, book.members["Rani"], "100", 3)
        assert SavingsEntry.select().where(SavingsEntry.kind == LOAN).count() == 0


def test_repayment__more_than_the_loan_refused(app, book):
    with app.app_context():
        book.deposit("Rani", "5000")
        loan = book.loan("Meena", "1000", months=2)  # 2% a month for 2 months: 40 interest, 1040 owed
        record_entry(book.cycle, REPAYMENT, "500", date(2026, 4, 1), loan=loan)
    treasurer = sign_in(app, "tara")
    before = rows()
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="repayment", loan=str(loan.id),
                                                                     amount="540.01"))
    assert field_errors(response.get_data(as_text=True), "amount") == [
        "This is more than the ₹540.00 still owed on this loan."]
    assert rows() == before
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="repayment", loan=str(loan.id),
                                                                     amount="540"))
    assert response.status_code == 302
    with app.app_context():
        now = balances(book.cycle)
        assert now.loans[loan.id] == 0 and now.fund == 4000 and now.cash == 504000
        # A repaid loan leaves the repayment list; a made-up loan id is refused.
        with pytest.raises(SavingsError, match="Choose a loan from the list"):
            record_entry(book.cycle, REPAYMENT, "1", TODAY, loan=loan.id + 1000)


def test_business_and_social_grant__need_a_note_and_cash(app, book):
    treasurer = sign_in(app, "tara")
    before = rows()
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="expense", amount="100"))
    assert field_errors(response.get_data(as_text=True), "note") == ["Please fill this in."]
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="expense", amount="100",
                                                                     note="Rice for the shop"))
    assert field_errors(response.get_data(as_text=True), "amount") == ["The group does not have enough cash for this."]
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="social_grant", amount="10",
                                                                     member=str(book.members["Rani"].id),
                                                                     note="Medicine"))
    assert field_errors(response.get_data(as_text=True), "amount") == [
        "The group does not have enough cash for this."]
    assert rows() == before
    with app.app_context():
        book.deposit("Meena", "1000")
        record_entry(book.cycle, "social_fund", "100", TODAY, member=book.members["Rani"])
        record_entry(book.cycle, INCOME, "300", TODAY, note="Takings")
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="social_grant", amount="150",
                                                                     member=str(book.members["Rani"].id),
                                                                     note="Medicine"))
    assert field_errors(response.get_data(as_text=True), "amount") == ["The social fund does not have enough for this."]
    response = post(treasurer, book.url("/entries/new"), **entry_form(kind="expense", amount="400", note="Stock"))
    assert response.status_code == 302
    with app.app_context():
        now = balances(book.cycle)
        assert (now.cash, now.business, now.fund, now.social) == (100000, -10000, -10000, 10000)
        assert now.reconciles()


# The two-key rule.

def test_loan__counts_only_after_two_different_officers_approve(app, book):
    with app.app_context():
        book.deposit("Rani", "5000")
        before = balances(book.cycle).summary()
    treasurer, chair, secretary, meena = (sign_in(app, "tara"), sign_in(app, "chanda"), sign_in(app, "sita"),
                                          sign_in(app, "member", "secret-rebmem-1"))
    response = post(treasurer, book.url("/loans/new"), member=str(book.members["Meena"].id), amount="1000",
                    rate="2", months="3", on_day="2026-11-20", note="A goat")
    assert response.status_code == 302
    loan = SavingsEntry.get(SavingsEntry.kind == LOAN)
    assert (loan.amount, loan.interest, loan.rate_bp, loan.months) == (100000, 6000, 200, 3)
    with app.app_context():
        assert balances(book.cycle).summary() == before  # an unapproved loan counts nowhere
    page = meena.get(book.url(f"/passbook/{book.members['Meena'].id}")).get_data(as_text=True)
    assert "waiting for approval" in page

    assert post(treasurer, f"/savings/entries/{loan.id}/approve").status_code == 302
    again = post(treasurer, f"/savings/entries/{loan.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "You have already given your key: another officer must give the second." in again
    own = post(meena, f"/savings/entries/{loan.id}/approve")
    assert own.status_code == 302
    assert SavingsApproval.select().count() == 1
    with app.app_context():
        assert balances(book.cycle).summary() == before  # one key is not enough

    post(chair, f"/savings/entries/{loan.id}/approve")
    with app.app_context():
        now = balances(book.cycle)
        assert now.cash == 400000 and now.owed[book.members["Meena"].id] == 106000 and now.fund == 6000
        assert now.reconciles()
    third = post(secretary, f"/savings/entries/{loan.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "Two officers have already approved this." in third
    assert SavingsApproval.select().count() == 2
    assert actions().count("savings.approved") == 2


def test_approve__own_loan_member_and_one_officer_twice_refused(app, book):
    with app.app_context():
        book.deposit("Rani", "5000")
        loan = request_loan(book.cycle, book.members["Tara"], "1000", 3)
        with pytest.raises(SavingsError, match="You cannot approve your own loan"):
            approve(loan, user=book.accounts["Tara"])
        with pytest.raises(SavingsError, match="Only the group's chair, treasurer or secretary can approve"):
            approve(loan, user=book.accounts["Meena"])
        approve(loan, user=book.accounts["Chanda"])
        with pytest.raises(SavingsError, match="already given your key"):
            approve(loan, officer=book.members["Chanda"])  # the same officer, by any way in
        assert SavingsApproval.select().count() == 1
        # The database itself holds one key per officer and per account.
        with pytest.raises(Exception, match="UNIQUE"), database.atomic():
            SavingsApproval.create(entry=loan, officer=book.members["Chanda"], approved_at=NOW)


def test_approve__second_key_refused_when_the_cash_is_gone(app, book):
    with app.app_context():
        book.deposit("Rani", "1000")
        first = request_loan(book.cycle, book.members["Meena"], "800", 1)
        second = request_loan(book.cycle, book.members["Rani"], "800", 1)
        for loan in (first, second):
            approve(loan, user=book.accounts["Chanda"])
        approve(first, user=book.accounts["Tara"])
        with pytest.raises(SavingsError, match="The group does not have enough cash for this"):
            approve(second, user=book.accounts["Tara"])
        assert SavingsApproval.select().where(SavingsApproval.entry == second).count() == 1


def test_officer_role__comes_from_the_group(app, book):
    with app.app_context():
        book.deposit("Rani", "5000")
        loan = request_loan(book.cycle, book.members["Rani"], "100", 1)
        GroupMember.update(role="member").where(GroupMember.person == book.people["Sita"]).execute()
        with pytest.raises(SavingsError, match="Only the group's chair"):
            approve(loan, user=book.accounts["Sita"])


# Corrections: a reversing entry, never an edit.

def test_reverse__restores_the_totals_exactly_and_is_audited(app, book):
    with app.app_context():
        book.deposit("Meena", "1000")
        before = balances(book.cycle).summary()
        wrong = book.deposit("Rani", "500")
        assert balances(book.cycle).summary() != before
    treasurer = sign_in(app, "tara")
    response = post(treasurer, f"/savings/entries/{wrong.id}/reverse", reason="")
    assert field_errors(response.get_data(as_text=True), "reason") == ["Please fill this in."]
    response = post(treasurer, f"/savings/entries/{wrong.id}/reverse", reason="Rani saved nothing that day")
    assert response.status_code == 302
    with app.app_context():
        assert balances(book.cycle).summary() == before
        reversal = SavingsEntry.get(SavingsEntry.kind == REVERSAL)
        assert (reversal.reverses_id, reversal.amount, reversal.note) == (wrong.id, 50000,
                                                                          "Rani saved nothing that day")
        event = AuditEvent.get(AuditEvent.action == "savings.reversed")
        assert (event.object_id, event.detail, event.username) == (str(wrong.id), "Rani saved nothing that day",
                                                                   "tara")
        for refused, message in ((wrong, "already reversed"), (reversal, "A correction cannot be reversed")):
            with pytest.raises(SavingsError, match=message):
                reverse(refused, "again")
    page = treasurer.get(book.url("/ledger")).get_data(as_text=True)
    assert "reversed: does not count" in page and f"correction of entry {wrong.id}" in page


def test_entries__are_never_updated_or_deleted(app, book):
    with app.app_context():
        entry = book.deposit("Meena")
        for sql in ("UPDATE savings_entry SET amount = 1", "DELETE FROM savings_entry"):
            with pytest.raises(Exception, match="never"), database.atomic():
                database.execute_sql(sql)
        assert SavingsEntry.get_by_id(entry.id).amount == 50000


def test_reverse__a_loan_with_repayments_or_leaving_cash_below_zero_refused(app, book):
    with app.app_context():
        book.deposit("Rani", "1000")
        loan = book.loan("Meena", "900", months=1)
        repayment = record_entry(book.cycle, REPAYMENT, "100", TODAY, loan=loan)
        with pytest.raises(SavingsError, match="This loan has repayments: reverse them first"):
            reverse(loan, "wrong borrower")
        with pytest.raises(SavingsError, match="The group does not have enough cash for this"):
            reverse(SavingsEntry.get(SavingsEntry.kind == DEPOSIT), "wrong")
        reverse(repayment, "not paid after all")
        reverse(loan, "wrong borrower")
        now = balances(book.cycle)
        assert (now.cash, now.total_owed, now.fund) == (100000, 0, 0)


# Loans overdue.

def test_loan__schedule_and_overdue(app, book):
    with app.app_context():
        book.deposit("Rani", "10000")
        loan = book.loan("Meena", "3000", months=3)  # from 1 March: 180 interest, 1060 a month
        record_entry(book.cycle, REPAYMENT, "1060", date(2026, 4, 1), loan=loan)
    assert ledger.schedule(date(2026, 3, 1), 318000, 3) == [
        (date(2026, 4, 1), 106000), (date(2026, 5, 1), 106000), (date(2026, 6, 1), 106000)]
    assert ledger.overdue(date(2026, 3, 1), 318000, 3, 106000, date(2026, 5, 15)) == 106000
    assert ledger.schedule(date(2026, 1, 31), 100, 3)[0] == (date(2026, 2, 28), 33)
    treasurer = sign_in(app, "tara")
    page = treasurer.get(book.url()).get_data(as_text=True)
    assert '<strong class="overdue">₹2,120.00</strong>' in page
    passbook = treasurer.get(book.url(f"/passbook/{book.members['Meena'].id}")).get_data(as_text=True)
    assert "Overdue: ₹2,120.00" in passbook and "still owed ₹2,120.00" in passbook


# The share-out.

def test_share_out__waits_for_loans_then_two_keys_then_closes_the_cycle(app, book):
    with app.app_context():
        book.deposit("Meena", "1000")
        book.deposit("Rani", "3000")
        loan = book.loan("Rani", "1000", months=1)  # 20 interest into the group fund
        record_entry(book.cycle, FINE, "10", TODAY, member=book.members["Meena"])
        with pytest.raises(SavingsError, match="still outstanding"):
            propose_share_out(book.cycle)
        record_entry(book.cycle, REPAYMENT, "1020", TODAY, loan=loan)
    treasurer, chair, secretary = sign_in(app, "tara"), sign_in(app, "chanda"), sign_in(app, "sita")
    page = treasurer.get(book.url("/share-out")).get_data(as_text=True)
    assert "₹1,007.50" in page and "₹3,022.50" in page  # 30 of fund: a quarter and three quarters
    assert post(treasurer, book.url("/share-out"), on_day="2026-11-22").status_code == 302
    head = SavingsEntry.get(SavingsEntry.kind == "share_out")
    assert head.amount == 403000
    response = post(treasurer, book.url("/share-out"), on_day="2026-11-22")
    assert "A share-out is already waiting for approval." in response.get_data(as_text=True)
    with app.app_context():
        assert balances(book.cycle).total_savings == 400000  # not yet
    post(chair, f"/savings/entries/{head.id}/approve")
    post(secretary, f"/savings/entries/{head.id}/approve")
    with app.app_context():
        now = balances(book.cycle)
        assert (now.cash, now.total_savings, now.fund) == (0, 0, 0) and now.reconciles()
        assert now.paid_out[book.members["Meena"].id] == 100750
        with pytest.raises(SavingsError, match="it is closed"):
            book.deposit("Meena")
    page = treasurer.get(book.url()).get_data(as_text=True)
    assert "this cycle is closed" in page and "Record a meeting" not in page


def test_share_out__second_key_refused_when_the_ledger_moved(app, book):
    with app.app_context():
        book.deposit("Meena", "1000")
        head = propose_share_out(book.cycle)
        approve(head, user=book.accounts["Chanda"])
        book.deposit("Rani", "500")
        with pytest.raises(SavingsError, match="The ledger changed since this share-out was worked out"):
            approve(head, user=book.accounts["Tara"])
        reverse(head, "worked out again")
        head = propose_share_out(book.cycle)
        approve(head, user=book.accounts["Chanda"])
        approve(head, user=book.accounts["Tara"])
        assert SavingsEntry.select().where((SavingsEntry.kind == PAYOUT) & (SavingsEntry.ref == head)).count() == 2
        assert balances(book.cycle).total_savings == 0


# Who sees what.

@pytest.mark.parametrize("role", ["coordinator", "case_worker", "facilitator", "member"])
def test_access__each_fixture_role(app, book, login_as, role):
    client = login_as(role)
    meena, rani = book.members["Meena"].id, book.members["Rani"].id
    codes = {path: client.get(book.url(path)).status_code for path in (
        "", "/ledger", f"/passbook/{meena}", f"/passbook/{rani}", "/entries/new", "/loans/new", "/meetings/new",
        "/share-out", "/members")}
    expected = {
        # The coordinator sees and keeps all (but holds no key).
        "coordinator": dict.fromkeys(codes, 200),
        # Case workers and facilitators outside the group: as if the cycle did not exist.
        "case_worker": {**dict.fromkeys(codes, 404), "/members": 403},
        "facilitator": {**dict.fromkeys(codes, 404), "/members": 403},
        # A member: the group totals and her own passbook.
        "member": {"": 200, "/ledger": 403, f"/passbook/{meena}": 200, f"/passbook/{rani}": 404,
                   "/entries/new": 403, "/loans/new": 403, "/meetings/new": 403, "/share-out": 403,
                   "/members": 403},
    }[role]
    assert codes == expected
    listed = client.get("/savings").get_data(as_text=True)
    assert ("Savings 2026" in listed) == (role in ("coordinator", "member"))
    home = client.get("/").get_data(as_text=True)
    assert ('href="/savings"' in home) == (role in ("coordinator", "member"))


def test_access__an_officer_sees_all_and_records(app, book):
    treasurer = sign_in(app, "tara")
    for path in ("", "/ledger", f"/passbook/{book.members['Rani'].id}", "/entries/new", "/loans/new",
                 "/meetings/new", "/share-out"):
        assert treasurer.get(book.url(path)).status_code == 200, path
    assert treasurer.get(book.url("/members")).status_code == 403
    page = treasurer.get(book.url()).get_data(as_text=True)
    assert "Rani" in page and "My passbook" in page


def test_access__member_page_shows_totals_not_other_members(app, book):
    with app.app_context():
        book.deposit("Rani", "750")
        book.deposit("Meena", "250")
    page = sign_in(app, "member", "secret-rebmem-1").get(book.url()).get_data(as_text=True)
    assert "₹1,000.00" in page and "My passbook" in page
    assert "Rani" not in page and "₹750.00" not in page


def test_access__in_the_group_but_not_linked_or_linked_but_left_refused(app, book, login_as):
    with app.app_context():
        AccountGroup.create(user=User.get(User.username == "facilitator"), group=book.group)
    assert login_as("facilitator").get(book.url()).status_code == 404
    with app.app_context():
        AccountGroup.delete().where(AccountGroup.user == book.accounts["Tara"]).execute()
    tara = sign_in(app, "tara")
    assert tara.get(book.url()).status_code == 404
    assert post(tara, book.url("/entries/new"), **entry_form(member=str(book.members["Meena"].id))).status_code == 404


def test_members__coordinator_links_an_account_of_the_group_only(app, book, login_as):
    coordinator = login_as("coordinator")
    stranger = make_user(username="stranger", role=User.MEMBER)
    before = SavingsMember.get_by_id(book.members["Rani"].id).user_id
    response = post(coordinator, book.url("/members"), member=str(book.members["Rani"].id), account=str(stranger.id))
    assert field_errors(response.get_data(as_text=True), "account") == ["Choose an account that belongs to this group."]
    response = post(coordinator, book.url("/members"), member=str(book.members["Rani"].id),
                    account=str(book.accounts["Tara"].id))
    assert field_errors(response.get_data(as_text=True), "account") == ["This account is already Tara's in this cycle."]
    assert SavingsMember.get_by_id(book.members["Rani"].id).user_id == before
    assert post(coordinator, book.url("/members"), member=str(book.members["Tara"].id), account="").status_code == 302
    assert SavingsMember.get_by_id(book.members["Tara"].id).user_id is None
    assert "savings.account_linked" in actions()


# Untrusted text.

def test_payloads__through_every_text_field_and_every_page(app, book, login_as):
    coordinator, treasurer = login_as("coordinator"), sign_in(app, "tara")
    with app.app_context():
        book.deposit("Rani", "100000")
    for payload in PAYLOADS[:25]:
        text = payload[:200]
        post(coordinator, "/savings/new", group=str(book.group.id), name=payload[:80], starts_on="2026-01-01",
             ends_on="2026-12-01", share_value="10", social_amount="", rate="2")
        post(treasurer, book.url("/entries/new"), **entry_form(kind="income", amount="1", note=text))
        post(treasurer, book.url("/loans/new"), member=str(book.members["Meena"].id), amount="1", rate="2",
             months="1", on_day="2026-11-20", note=text)
        entry = SavingsEntry.select().where(SavingsEntry.kind == INCOME).order_by(SavingsEntry.id.desc()).get()
        assert entry.note == " ".join(text.split())  # saved as typed (spaces tidied), shown escaped
        post(treasurer, f"/savings/entries/{entry.id}/reverse", reason=text)
        pages = {"ledger": treasurer.get(book.url("/ledger")), "cycle": treasurer.get(book.url()),
                 "list": coordinator.get("/savings"),
                 "passbook": treasurer.get(book.url(f"/passbook/{book.members['Meena'].id}")),
                 "reverse": treasurer.get(f"/savings/entries/{entry.id}/reverse"),
                 "refused": post(treasurer, book.url("/entries/new"), **entry_form(kind="expense", amount=payload,
                                                                                  note=text))}
        for name, response in pages.items():
            assert response.status_code == 200, (name, payload)
            assert executable_markup(response.get_data(as_text=True)) == [], (name, payload)
        assert str(escape(" ".join(text.split()))) in pages["ledger"].get_data(as_text=True) or not text.strip()


# The demo village.

def test_demo__a_savings_cycle_that_balances_with_the_members_passbook(runner, data_dir):
    assert runner.invoke(["seed-demo", "--seed", "3"]).exit_code == 0
    conn = sqlite3.connect(data_dir / "hub.sqlite3")
    meetings = conn.execute("SELECT COUNT(*) FROM savings_meeting").fetchone()[0]
    loans = conn.execute("SELECT COUNT(*) FROM savings_entry e WHERE kind = 'loan' AND "
                         "(SELECT COUNT(DISTINCT officer_id) FROM savings_approval a WHERE a.entry_id = e.id) = 2"
                         ).fetchone()[0]
    kinds = {row[0] for row in conn.execute("SELECT DISTINCT kind FROM savings_entry")}
    mine = conn.execute("SELECT COUNT(*) FROM savings_entry e JOIN savings_member m ON m.id = e.member_id "
                        "JOIN user_account u ON u.id = m.user_id WHERE u.username = 'member'").fetchone()[0]
    conn.close()
    assert meetings == 30 and loans == 4 and mine > 20
    assert {"deposit", "social_fund", "fine", "loan", "repayment", "income", "expense", "reversal"} <= kinds
    from hub.app import create_app
    with create_app({"DATA_DIR": str(data_dir), "TESTING": True}).app_context():
        cycle = SavingsCycle.get()
        now = balances(cycle)
        assert now.reconciles() and ledger.shortfalls(now) is None and now.total_owed > 0


# Plausible amounts.

def test_plausible__an_absurd_deposit_asks_to_confirm_and_is_then_marked_for_review(app, book):
    treasurer = sign_in(app, "tara")
    data = {"kind": "deposit", "member": str(book.members["Rani"].id), "amount": "100000000", "loan": "",
            "on_day": "2026-11-20", "note": ""}
    with app.app_context():
        before = rows()
    response = post(treasurer, book.url("/entries/new"), **data)
    page = response.get_data(as_text=True)
    assert field_errors(page, "confirm") == [
        "This is more than ₹500,000.00, the largest plausible amount for this group. Check the amount; if it is "
        "right, tick “Yes, this is right” and save again: the entry will be marked for review."]
    with app.app_context():
        assert rows() == before
    assert post(treasurer, book.url("/entries/new"), confirm="y", **data).status_code == 302
    with app.app_context():
        entry = SavingsEntry.select().order_by(SavingsEntry.id.desc()).get()
        assert (entry.amount, entry.needs_review) == (10_000_000_000, True)
        assert actions()[-2:] == ["savings.recorded", "savings.outside_range"]
    assert "marked for review" in treasurer.get(book.url("/ledger")).get_data(as_text=True)


def test_plausible__ten_times_the_groups_largest_so_far_or_the_coordinators_limit(app, book, login_as):
    with app.app_context():
        book.deposit("Rani", "60000")  # the floor is 500,000 (ten times a thousand shares of 50)
        book.deposit("Meena", "550000")  # within ten times 60,000
        with pytest.raises(SavingsError, match="more than ₹5,500,000.00"):
            book.deposit("Meena", "5500050")
    coordinator = login_as("coordinator")
    assert post(coordinator, book.url("/range"), plausible_max="1000").status_code == 302
    with app.app_context():
        with pytest.raises(SavingsError, match="more than ₹1,000.00"):
            book.deposit("Meena", "1050")
        assert not book.deposit("Meena", "1000").needs_review
    assert 'value="1000.00"' in coordinator.get(book.url("/members")).get_data(as_text=True)


@pytest.mark.parametrize("savings, fund", [
    ({1: 100, 2: 100, 3: 100}, 1000), ({1: 530001, 2: 353334, 3: 1}, 1060002), ({1: 7, 2: 3}, -11),
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}, 5)])
def test_share_out__the_parts_add_up_to_the_fund_exactly(savings, fund):
    parts = ledger.split(savings, fund)
    assert sum(part for _saved, part in parts.values()) == fund
    assert all(abs(part * sum(savings.values()) - fund * value) < sum(savings.values())
               for value, part in parts.values())  # each within one minor unit of its exact share


def test_passbook__kept_page_still_follows_who_may_read_it(app, book, login_as):
    # The page is kept per account until the next write: one account's kept page never reaches another, and a
    # treasurer who is no longer an officer stops reading others' passbooks at once.
    rani = book.url(f"/passbook/{book.members['Rani'].id}")
    treasurer, meena = sign_in(app, "tara"), login_as("member")
    assert treasurer.get(rani).status_code == 200 and treasurer.get(rani).status_code == 200
    assert meena.get(rani).status_code == 404
    with app.app_context():
        GroupMember.update(role="member").where(GroupMember.person == book.people["Tara"]).execute()
    assert treasurer.get(rani).status_code == 404
    own = treasurer.get(book.url(f"/passbook/{book.members['Tara'].id}"))
    assert own.status_code == 200 and "Passbook: Tara" in own.get_data(as_text=True)

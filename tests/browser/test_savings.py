"""The savings ledger on a phone in a real browser: the treasurer records a deposit and a loan request, she and
the chair each give their key from their own account, the treasurer records a repayment, and the member reads
her passbook (and it fits a 360 px screen)."""

import subprocess
import sys
import textwrap

import pytest
from playwright.sync_api import expect

from tests.server import add_user, hub_environment, run_command, running_hub

pytestmark = pytest.mark.browser

PHONE = (360, 640)
ACCOUNTS = {"tara": "treasurer", "chanda": "chair", "meena": "member"}
PINS = {"tara": "381924", "chanda": "572036", "meena": "640218"}
NAMES = {"tara": "Tara Devi", "chanda": "Chanda Das", "meena": "Meena Bibi"}

SETUP = textwrap.dedent("""
    import sys
    from datetime import date, datetime, timedelta

    from hub.app import create_app
    from hub.auth.models import User
    from hub.db import database
    from hub.groups.service import create_group, set_groups_of
    from hub.people.models import GroupMember, Person
    from hub.savings.models import SavingsMember
    from hub.savings.cycles import create_cycle, link_account

    data_dir, accounts = sys.argv[1], [item.split(":") for item in sys.argv[2].split(",")]
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context(), database.atomic():
        group = create_group("Lotus mothers' group", "mothers_group")
        for username, role, name in accounts:
            person = Person.create(name=name, name_key=name.lower(), sex="female", birth_year=1990,
                                   consent_by="herself", consent_on=date(2026, 1, 5), created_at=datetime.now())
            GroupMember.create(group=group, person=person, role=role, joined_on=date(2026, 1, 5))
        start = date.today() - timedelta(days=60)
        cycle = create_cycle(group, "Lotus savings", start, start + timedelta(days=365), "50", "10", "2")
        for username, role, name in accounts:
            user = User.get(User.username == username)
            User.update(must_change_secret=False).where(User.id == user.id).execute()
            set_groups_of(user, [group.id])
            member = SavingsMember.select().join(Person).where(Person.name == name).get()
            link_account(cycle, member, user)
""")


@pytest.fixture(scope="module")
def village_dir(tmp_path_factory):
    """A hub with a mothers' group whose treasurer, chair and a member have accounts linked to the cycle."""
    data_dir = tmp_path_factory.mktemp("savings-hub") / "instance"
    run_command(["init"], data_dir)
    add_user(data_dir, "coordinator", "coordinator", "village-lead-secret-1")
    for username in ACCOUNTS:
        add_user(data_dir, username, "member", PINS[username])
    spec = ",".join(f"{username}:{role}:{NAMES[username]}" for username, role in ACCOUNTS.items())
    subprocess.run([sys.executable, "-c", SETUP, str(data_dir), spec], env=hub_environment(data_dir),
                   capture_output=True, text=True, check=True, timeout=60)
    return data_dir


@pytest.fixture(scope="module")
def hub_url(village_dir):
    """Overrides the demo hub of tests/browser/conftest.py: `visit` opens pages of this village."""
    with running_hub(village_dir) as base_url:
        yield base_url


def signed_in(visit, username):
    phone = visit(*PHONE)
    phone.goto("/login")
    phone.page.fill("input[name=username]", username)
    phone.page.fill("input[name=password]", PINS[username])
    phone.page.get_by_role("button", name="Sign in").click()
    expect(phone.page.get_by_role("button", name="Sign out")).to_be_visible()
    return phone


def open_cycle(phone):
    """The cycle's page, reached through the menu."""
    phone.goto("/")
    menu = phone.page.get_by_role("navigation")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Savings").click()
    phone.page.get_by_role("link", name="Lotus savings").click()
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Lotus savings")
    return phone.page


def test_savings__deposit_loan_with_two_keys_repayment_and_passbook(visit, screenshots):
    treasurer = signed_in(visit, "tara")
    page = open_cycle(treasurer)
    page.get_by_role("link", name="Record an entry").click()
    page.get_by_label("What").select_option("deposit")
    member = page.get_by_label("Member", exact=True)  # labelled with what tells namesakes apart
    member.select_option(member.locator("option", has_text=NAMES["meena"]).get_attribute("value"))
    page.get_by_label("Amount").fill("2000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Entry recorded.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("₹2,000.00")

    page.get_by_role("link", name="Request a loan").click()
    borrower = page.get_by_label("Borrower")
    borrower.select_option(borrower.locator("option", has_text=NAMES["meena"]).get_attribute("value"))
    page.get_by_label("Amount lent").fill("1000")
    page.get_by_label("Repaid in how many months").fill("3")
    page.get_by_label("Purpose of the loan").fill("A goat")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("it counts once two officers approve it")).to_be_visible()
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting for two officers' approval"))
    waiting.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Your approval is recorded.")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("Loans outstanding₹0.00")  # one key: nothing moved

    chair = signed_in(visit, "chanda")
    chair_page = open_cycle(chair)
    expect(chair_page.get_by_text(f"Approved by: {NAMES['tara']}")).to_be_visible()
    chair_page.get_by_role("button", name="Approve").click()
    expect(chair_page.get_by_text("Your approval is recorded.")).to_be_visible()
    expect(chair_page.locator(".facts").first).to_contain_text("Cash in the box₹1,000.00")  # the loan left it
    chair.assert_clean()

    page = open_cycle(treasurer)
    page.get_by_role("link", name="Record an entry").click()
    page.get_by_label("What").select_option("repayment")
    page.get_by_label("Loan repaid").select_option(index=1)
    page.get_by_label("Amount").fill("5000")  # more than the loan: refused beside the field
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("This is more than the ₹1,060.00 still owed on this loan.")).to_be_visible()
    page.get_by_label("Amount").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Entry recorded.")).to_be_visible()
    treasurer.assert_clean()

    member = signed_in(visit, "meena")
    page = open_cycle(member)
    page.get_by_role("link", name="My passbook").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Passbook: {NAMES['meena']}")
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Savings₹2,000.00")
    expect(facts).to_contain_text("Loans owed₹660.00")
    rows = page.locator("table.boxes tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Savings (shares)")
    expect(rows.nth(1)).to_contain_text("Loan")
    expect(rows.nth(2)).to_contain_text("Loan repayment")
    expect(rows.nth(2)).to_contain_text("₹660.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "savings-passbook-360.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".top")).to_be_hidden()  # the print stylesheet drops the menu
    member.assert_clean()

"""A concern's whole pathway in a real browser: a visitor with no account reports it from the home page, the
case worker triages it into a case, records consent, refers it to a service the coordinator added to the
directory, prints the referral slip, moves the referral on, records a follow-up visit and closes the case.

The concerns added here are found by what they say (not by a number), so cases the demo may seed do not
matter; they change nothing that test_home and test_roles assert (the header and menus, the numbers)."""

import re

import pytest
from playwright.sync_api import expect

from hub.demo import DEMO_ACCOUNTS
from tests.browser.test_home import number_link, sign_in

pytestmark = pytest.mark.browser

PHONE = (360, 640)
CASE_WORKER = "caseworker"
CASE_WORKER_NAME = next(name for username, _, name in DEMO_ACCOUNTS if username == CASE_WORKER)
CATEGORY = "Child labour"
CHILD = "Boy of about 12, son of the tea stall owner by the bus stand"
PLACE = "Tea stall by the bus stand"
WHAT_HAPPENED = "He washes glasses at the tea stall every school day from 7 in the morning until late at night."
# The service the coordinator adds: the test does not depend on what the demo puts in the directory.
SERVICE = "Block child protection unit (pathway test)"
SERVICE_PHONE = "0341 255 0101"
DANGER_CHILD = "Girl of 9 at the brick kiln"
CASE_LINK = re.compile(r"Case (\d+)")


def heading(page):
    return page.get_by_role("heading", level=1)


def fact(page, term):
    """The <dd> after the <dt> term in the page's first list of facts."""
    return page.locator("dl.facts").first.locator(f'dt:text-is("{term}") + dd')


def report_concern(visitor, in_danger, child, what_happened):
    """From the home page, as someone without an account: tap "report a concern", fill the form and send it."""
    page = visitor.page
    visitor.goto("/")
    page.get_by_role("link", name="Report a concern about a child").click()
    expect(heading(page)).to_contain_text("Report a concern about a child")
    assert page.url.startswith(visitor.base_url + "/concerns/new")
    page.get_by_role("radio", name="Yes, in danger now" if in_danger else "No", exact=True).check()
    page.get_by_label("What is the concern about?").select_option(label=CATEGORY)
    page.get_by_label("Which child?").fill(child)
    page.get_by_label("Where?").fill(PLACE)
    page.get_by_label("What happened?").fill(what_happened)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Your report was sent")).to_be_visible()


def add_service(coordinator, demo_hub):
    """The coordinator adds a service that handles child labour to the directory."""
    sign_in(coordinator, demo_hub, "coordinator")
    page = coordinator.page
    coordinator.goto("/services")
    page.get_by_role("link", name="Add a service").click()
    expect(heading(page)).to_contain_text("Add a service")
    page.get_by_label("Name", exact=True).fill(SERVICE)
    page.get_by_label("Kind of service").select_option(label="District child protection unit")
    page.get_by_label("Phone", exact=True).fill(SERVICE_PHONE)
    page.get_by_label("Address", exact=True).fill("Block office, near the market")
    page.get_by_label("Opening hours").fill("Monday to Saturday, 10:00 to 17:00")
    page.get_by_role("checkbox", name=CATEGORY, exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Service {SERVICE} added.")).to_be_visible()
    listed = page.locator("li", has=page.get_by_text(SERVICE, exact=True))
    expect(listed).to_contain_text(SERVICE_PHONE)
    expect(listed).to_contain_text(CATEGORY)


def newest_concern(worker, rows, child):
    """Open the newest of these rows of concerns waiting (the one reported last); its triage page must show
    the child described, so a concern the demo seeded is never taken for the one this test sent."""
    page = worker.page
    expect(rows.first).to_be_visible()
    links = rows.get_by_role("link", name=CASE_LINK)
    case_number = max(int(CASE_LINK.search(text).group(1)) for text in links.all_inner_texts())
    page.get_by_role("link", name=f"Case {case_number} · {CATEGORY}", exact=True).click()
    expect(heading(page)).to_have_text(re.compile(rf"Triage case {case_number}$"))
    expect(fact(page, "Child")).to_have_text(child)
    expect(fact(page, "Reported")).to_contain_text("Someone without an account")
    return case_number


def test_concern__from_an_anonymous_report_to_a_closed_case_with_a_referral(visit, demo_hub, screenshots):
    # 1. Someone without an account reports a concern from a phone.
    visitor = visit(*PHONE)
    report_concern(visitor, in_danger=False, child=CHILD, what_happened=WHAT_HAPPENED)
    page = visitor.page
    expect(page.get_by_role("heading", name="The child is in danger: call now")).to_have_count(0)
    expect(page.get_by_role("heading", name="Emergency numbers")).to_be_visible()  # after the thanks
    expect(page.get_by_role("link", name="See what became of your reports")).to_have_count(0)  # no account
    page.screenshot(path=screenshots / "concern-sent-360.png", full_page=True)
    visitor.assert_clean()

    # The coordinator adds the service the case will be referred to.
    coordinator = visit(*PHONE)
    add_service(coordinator, demo_hub)
    coordinator.assert_clean()

    # 2. The case worker finds the concern among those waiting and triages it into a case they hold.
    worker = visit(*PHONE)
    sign_in(worker, demo_hub, CASE_WORKER)
    page = worker.page
    worker.goto("/")
    page.get_by_role("link", name="All cases").click()
    expect(heading(page)).to_contain_text("Cases")
    tabs = page.get_by_role("navigation", name="Lists of cases")
    expect(tabs.get_by_role("link", name=re.compile(r"^New concerns waiting"))).to_have_attribute(
        "aria-current", "page")
    waiting = page.locator("ul.cases > li").filter(has_text=CATEGORY).filter(has_not_text="In danger now")
    case_number = newest_concern(worker, waiting, CHILD)
    expect(fact(page, "About")).to_have_text(CATEGORY)
    expect(fact(page, "Where")).to_have_text(PLACE)
    expect(page.locator(".notes")).to_contain_text(WHAT_HAPPENED)
    page.get_by_label("What is the concern about?").select_option(label=CATEGORY)
    page.get_by_role("radio", name="Medium", exact=True).check()
    assigned = page.get_by_label("Case worker who holds the case")
    expect(assigned.locator("option:checked")).to_have_text(CASE_WORKER_NAME)  # themself, by default
    assigned.select_option(label=CASE_WORKER_NAME)
    page.get_by_label("What you found (a note for the case's log)").fill("Visited the stall: he works there daily.")
    page.get_by_role("button", name="Save the triage").click()

    expect(page.get_by_text("Concern triaged: it is now a case.")).to_be_visible()
    expect(heading(page)).to_contain_text(f"Case {case_number} · {CATEGORY}")
    expect(fact(page, "Status")).to_have_text("Assessed")
    expect(fact(page, "Risk")).to_have_text("Medium")
    expect(fact(page, "Case worker")).to_have_text(CASE_WORKER_NAME)
    expect(page.locator("#referrals")).to_contain_text("Not referred yet.")
    case_url = page.url

    # Consent of the guardian to share the child's details.
    consent = page.locator("#consent")
    consent.locator("summary").click()
    consent.get_by_role("radio", name="The child's parent or guardian").check()
    consent.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent recorded.", exact=True)).to_be_visible()
    expect(page.locator("#consent")).to_contain_text("Given by The child's parent or guardian on")

    # Referral to the coordinator's service, sharing the child's details (on the consent just recorded).
    page.get_by_role("link", name="Refer to a service").click()
    expect(heading(page)).to_have_text(re.compile(rf"Refer case {case_number} to a service$"))
    expect(page.get_by_text("Consent to share the child's details: given by The child's parent or guardian"))\
        .to_be_visible()
    service = page.get_by_label("Service", exact=True)
    handling = service.locator("optgroup[label='Handle this kind of concern'] option")
    expect(handling.filter(has_text=SERVICE)).to_have_count(1)  # it handles child labour: offered first
    service.select_option(label=f"{SERVICE} · {SERVICE_PHONE}")
    page.get_by_label("Why the case is referred").fill("Needs rescue from work and a place back in school.")
    page.get_by_label("Information shared with the service").fill("Works at the tea stall by the bus stand, "
                                                                    "school days, 7 am to late.")
    page.get_by_role("checkbox", name=re.compile(r"^This referral shares the child's details")).check()
    page.get_by_role("button", name="Refer", exact=True).click()

    expect(page.get_by_text(f"Referred to {SERVICE}.")).to_be_visible()
    expect(heading(page)).to_have_text(re.compile(rf"Referral to {re.escape(SERVICE)}$"))
    expect(fact(page, "Status")).to_have_text("Sent")
    expect(fact(page, "Service")).to_contain_text(SERVICE_PHONE)
    expect(fact(page, "Child's details")).to_have_text("Shared · Consent recorded on the case")
    referral_url = page.url

    # The printable slip names the service and the child.
    page.get_by_role("link", name="Open the referral slip to print").click()
    expect(heading(page)).to_have_text("Referral slip")
    expect(fact(page, "To")).to_contain_text(SERVICE)
    expect(fact(page, "To")).to_contain_text(SERVICE_PHONE)
    expect(fact(page, "From")).to_contain_text(CASE_WORKER_NAME)
    expect(fact(page, "Reference")).to_have_text(re.compile(rf"^Case {case_number}, referral \d+$"))
    expect(fact(page, "About")).to_have_text(CATEGORY)
    expect(fact(page, "Child")).to_have_text(CHILD)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "referral-slip-360.png", full_page=True)
    page.get_by_role("link", name="Back to the referral").click()
    assert page.url == referral_url

    # The service acknowledges the referral, then gives the service.
    page.get_by_label("Status", exact=True).select_option(label="Acknowledged by the service")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Referral saved.")).to_be_visible()
    expect(fact(page, "Status")).to_have_text("Acknowledged by the service")
    page.get_by_label("Status", exact=True).select_option(label="Service given")
    page.get_by_label("Outcome", exact=True).fill("Taken out of work; back in class 6 at the village school.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Referral saved.")).to_be_visible()
    expect(fact(page, "Status")).to_have_text("Service given")
    expect(fact(page, "Outcome")).to_have_text("Taken out of work; back in class 6 at the village school.")

    # Back on the case: referred, and the referral listed with its status.
    page.get_by_role("link", name=f"Case {case_number}", exact=True).click()
    assert page.url == case_url
    expect(fact(page, "Status")).to_have_text("Referred to a service")
    referral_row = page.locator("#referrals li", has=page.get_by_role("link", name=SERVICE, exact=True))
    expect(referral_row).to_contain_text("Service given")

    # A follow-up visit.
    follow_ups = page.locator("#follow-ups")
    follow_ups.locator("summary").click()
    follow_ups.get_by_label("Progress notes").fill("He goes to school every day; the stall owner signed a pledge.")
    follow_ups.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_text("Follow-up visit recorded.")).to_be_visible()
    expect(page.locator("#follow-ups li").first).to_contain_text("He goes to school every day")
    expect(page.locator("#follow-ups li").first).to_contain_text(CASE_WORKER_NAME)

    # Closed, with a reason.
    page.get_by_role("link", name="Change the case").click()
    expect(heading(page)).to_have_text(re.compile(rf"Change case {case_number}$"))
    page.get_by_label("Status", exact=True).select_option(label="Closed")
    page.get_by_label("Why the case is closed").fill("Back in school and out of work; the family is supported.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Case saved.")).to_be_visible()
    expect(fact(page, "Status")).to_have_text("Closed")
    expect(fact(page, "Closed")).to_contain_text("Back in school and out of work; the family is supported.")
    expect(page.get_by_text("This case is closed. To add to it, reopen it: change its status.")).to_be_visible()
    expect(page.get_by_role("link", name="Refer to a service")).to_have_count(0)
    expect(page.locator("#follow-ups summary")).to_have_count(0)
    referral_row = page.locator("#referrals li", has=page.get_by_role("link", name=SERVICE, exact=True))
    expect(referral_row).to_contain_text("Service given")
    log = page.locator("#log")
    for entry in ("Concern reported", "Triaged", "Consent recorded", "Referred", "Status: Closed"):
        expect(log.get_by_text(entry, exact=True)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "case-closed-360.png", full_page=True)

    # It is listed among the closed cases, no longer among those waiting.
    worker.goto("/cases?show=closed")
    expect(page.get_by_role("link", name=f"Case {case_number} · {CATEGORY}", exact=True)).to_have_count(1)
    worker.goto("/cases")
    expect(page.get_by_role("link", name=f"Case {case_number} · {CATEGORY}", exact=True)).to_have_count(0)
    worker.assert_clean()


def test_concern__in_danger_now__shows_the_emergency_numbers_first(visit, demo_hub, screenshots):
    visitor = visit(*PHONE)
    report_concern(visitor, in_danger=True, child=DANGER_CHILD,
                   what_happened="The kiln owner beat her this morning and she cannot walk.")
    page = visitor.page
    # The first thing on the page: call now, with every number one tap away, before the thanks.
    call = page.get_by_role("heading", level=1)
    expect(call).to_have_text(re.compile(r"The child is in danger: call now$"))
    first_box = page.locator("main .card").first
    expect(first_box).to_contain_text("The child is in danger: call now")
    for _, number in demo_hub.numbers:
        link = number_link(first_box, number)
        expect(link).to_be_visible()
        assert link.get_attribute("href") == f"tel:{number}"
    _, first_number = demo_hub.numbers[0]
    box = number_link(first_box, first_number).bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE[1], box  # on the first screen of a phone
    expect(page.get_by_role("heading", level=2, name="Your report was sent")).to_be_visible()
    page.screenshot(path=screenshots / "concern-sent-in-danger-360.png", full_page=True)
    visitor.assert_clean()

    # The case worker finds it first among the new concerns waiting on their home page, marked in danger.
    worker = visit(*PHONE)
    sign_in(worker, demo_hub, CASE_WORKER)
    page = worker.page
    worker.goto("/")
    section = page.locator("section", has=page.get_by_role("heading", name="My casework"))
    waiting = section.locator("h3:text-is('New concerns waiting') + ul > li")
    expect(waiting.first).to_contain_text("In danger now")  # those in danger come first
    newest_concern(worker, waiting.filter(has_text=CATEGORY).filter(has_text="In danger now"), DANGER_CHILD)
    expect(page.get_by_text("The child was reported to be in danger.")).to_be_visible()
    worker.assert_clean()

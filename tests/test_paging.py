"""The long pages read a page at a time, forwards and back with plain links: the audit log (its filters kept
from page to page) and a savings cycle's ledger."""

import html
import re

import pytest

from hub.audit.models import AuditEvent
from hub.audit.service import PAGE_SIZE, record
from hub.savings import books
from tests.test_savings import NOW, TODAY, Book, sign_in  # noqa: F401  (NOW, TODAY: the savings tests' clock)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def links(page):
    """{link text: href} of the page's links."""
    return {text.strip(): html.unescape(href) for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>',
                                                                            page)}


def test_audit_log__older_and_newest_keep_the_filters(app, login_as):
    with app.app_context():
        for _ in range(PAGE_SIZE + 5):
            record("village.updated", username="someone")
            record("sign_in.failed", username="someone")
    coordinator = login_as("coordinator")
    first = coordinator.get("/audit?action=village.updated").get_data(as_text=True)
    assert "Newest entries" not in first
    older = links(first)["Older entries"]
    assert "action=village.updated" in older and "before=" in older
    second = coordinator.get(older).get_data(as_text=True)
    assert second.count("Changed the village profile") == 5 + 1  # five rows, and the filter's option
    assert "Older entries" not in second
    assert links(second)["Newest entries"] == "/audit?action=village.updated"
    with app.app_context():
        newest = AuditEvent.newest_first().where(AuditEvent.action == "village.updated").get()
    assert f"<td>{newest.id}</td>" in coordinator.get(links(second)["Newest entries"]).get_data(as_text=True)


def test_ledger__older_and_newest(app):
    with app.app_context():
        book = Book()
        deposits = [book.deposit("Meena", "50") for _ in range(books.PAGE_SIZE + 3)]
    treasurer = sign_in(app, "tara")
    first = treasurer.get(book.url("/ledger")).get_data(as_text=True)
    assert "Newest entries" not in first and f"<td>{deposits[-1].id}</td>" in first
    second = treasurer.get(links(first)["Older entries"]).get_data(as_text=True)
    assert f"<td>{deposits[0].id}</td>" in second and f"<td>{deposits[-1].id}</td>" not in second
    assert "Older entries" not in second and links(second)["Newest entries"] == book.url("/ledger")

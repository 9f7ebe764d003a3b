"""Rules for the services directory: the duty bearers and providers a case is referred to, how to reach
them, and the categories of concern each handles (the referral pathway). The only writer of Service and
ServiceCategory; each change is audited in the same transaction.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import prefetch

from hub.audit.service import record
from hub.db import database
from hub.protocols.service import CATEGORY_LABELS
from hub.services.models import (
    ANTI_TRAFFICKING,
    CHILD_HELPLINE,
    DISTRICT_CPU,
    HEALTH,
    KINDS,
    LEGAL_SERVICES,
    MUNICIPAL_DEFENCE,
    NGO,
    POLICE,
    SCHOOL,
    VILLAGE_COUNCIL,
    Service,
    ServiceCategory,
)
from hub.validation import FieldError, Problems

KIND_LABELS = {
    POLICE: _l("Police"),
    CHILD_HELPLINE: _l("Child helpline"),
    ANTI_TRAFFICKING: _l("Anti-trafficking unit"),
    LEGAL_SERVICES: _l("Legal services authority"),
    HEALTH: _l("Health"),
    VILLAGE_COUNCIL: _l("Village council"),
    DISTRICT_CPU: _l("District child protection unit"),
    MUNICIPAL_DEFENCE: _l("Municipal child defence office"),
    SCHOOL: _l("School"),
    NGO: _l("NGO"),
}
PHONE = re.compile(r"^\+?[0-9][0-9 -]*$")
MIN_DIGITS, MAX_DIGITS = 3, 15  # short numbers such as 100 or 1098; the longest international number


class ServiceError(FieldError):
    """A directory change the hub refuses; str() says why, field names the form field."""


def service_kind_label(kind):
    """The localised name of a kind of service (a template global)."""
    return KIND_LABELS.get(kind, kind)


def categories_of(service):
    """The categories a service handles, in the order of the categories."""
    handled = {link.category for link in service.category_links}
    return [category for category in CATEGORY_LABELS if category in handled]


def _in_order(services):
    return sorted(services, key=lambda s: (s.archived, KINDS.index(s.kind) if s.kind in KINDS else len(KINDS),
                                           s.name.casefold(), s.id))


def directory(category="", archived=False):
    """Services by kind and name, with their categories read at once: active ones (and archived ones last
    when asked); only those that handle `category` when one is given."""
    query = Service.select() if archived else Service.active()
    if category:
        query = query.where(Service.id.in_(ServiceCategory.select(ServiceCategory.service)
                                           .where(ServiceCategory.category == category)))
    return _in_order(prefetch(query, ServiceCategory))


def services_for(category):
    """Every active service, those that handle `category` first (for a protocol or a referral)."""
    services = directory()
    return sorted(services, key=lambda service: category not in categories_of(service))


def _plain(text):
    return " ".join((text or "").split())


def _name(name, service):
    name = _plain(name)
    if not name:
        raise ServiceError(_("Please fill this in."), "name")
    others = Service.select().where(Service.id != service.id) if service is not None else Service.select()
    if any(other.name.casefold() == name.casefold() for other in others):
        raise ServiceError(_("There is already a service called %(name)s.", name=name), "name")
    return name


def _phone(phone, address):
    phone = _plain(phone)
    if phone and not PHONE.match(phone):
        raise ServiceError(_("A phone number has digits, and may have spaces, dashes and a + in front."), "phone")
    if phone and not MIN_DIGITS <= sum(char.isdigit() for char in phone) <= MAX_DIGITS:
        raise ServiceError(_("A phone number has %(least)d to %(most)d digits.", least=MIN_DIGITS,
                             most=MAX_DIGITS), "phone")
    if not phone and not _plain(address):
        raise ServiceError(_("Give a phone number or an address, so people can reach this service."), "phone")
    return phone


def check_service(name, kind, phone="", address="", categories=(), service=None):
    """The tidy name and phone, or ServiceError naming every field that is wrong."""
    problems = Problems(ServiceError)
    name = problems.check(_name, name, service)
    if kind not in KINDS:
        problems.add(_("Choose a kind of service from the list."), "kind")
    phone = problems.check(_phone, phone, address)
    if any(category not in CATEGORY_LABELS for category in categories or ()):
        problems.add(_("Choose categories from the list."), "categories")
    problems.done()
    return name, phone


def _link(service, categories):
    wanted = set(categories)
    ServiceCategory.delete().where((ServiceCategory.service == service)
                                   & ServiceCategory.category.not_in(wanted)).execute()
    have = {link.category for link in ServiceCategory.select().where(ServiceCategory.service == service)}
    for category in CATEGORY_LABELS:
        if category in wanted - have:
            ServiceCategory.create(service=service, category=category)


def create_service(name, kind, phone="", address="", hours="", languages="", categories=()):
    """Add a service to the directory with the categories it handles; return the Service."""
    with database.atomic():  # checked under the write lock: a double tap adds one service
        name, phone = check_service(name, kind, phone, address, categories)
        service = Service.create(name=name, kind=kind, phone=phone, address=_plain(address), hours=_plain(hours),
                                 languages=_plain(languages))
        _link(service, categories)
        record("service.created", service)
    return service


def update_service(service, name, kind, phone="", address="", hours="", languages="", categories=(),
                   archived=False):
    """Change a service, the categories it handles, and archive it or bring it back; return the Service."""
    with database.atomic():
        name, phone = check_service(name, kind, phone, address, categories, service)
        service.name, service.kind, service.phone = name, kind, phone
        service.address, service.hours, service.languages = _plain(address), _plain(hours), _plain(languages)
        service.archived = bool(archived)
        service.save()
        _link(service, categories)
        record("service.updated", service, detail="archived" if archived else "")
    return service

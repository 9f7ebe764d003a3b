"""Services directory tables (made by migration 0007): the duty bearers and providers cases are referred to,
and the categories each handles (the referral pathway)."""

from peewee import BooleanField, CharField, ForeignKeyField

from hub.db import BaseModel

POLICE, CHILD_HELPLINE, ANTI_TRAFFICKING, LEGAL_SERVICES, HEALTH = (
    "police", "child_helpline", "anti_trafficking", "legal_services", "health")
VILLAGE_COUNCIL, DISTRICT_CPU, MUNICIPAL_DEFENCE, SCHOOL, NGO = (
    "village_council", "district_cpu", "municipal_defence", "school", "ngo")
KINDS = (POLICE, CHILD_HELPLINE, ANTI_TRAFFICKING, LEGAL_SERVICES, HEALTH, VILLAGE_COUNCIL, DISTRICT_CPU,
         MUNICIPAL_DEFENCE, SCHOOL, NGO)


class Service(BaseModel):
    name = CharField()
    kind = CharField()
    phone = CharField(default="")
    address = CharField(default="")
    hours = CharField(default="")
    languages = CharField(default="")  # as the coordinator writes them, e.g. "Hindi, Bengali"
    archived = BooleanField(default=False)

    @classmethod
    def active(cls):
        return cls.select().where(~cls.archived).order_by(cls.kind, cls.name)


class ServiceCategory(BaseModel):
    """A service handles a category of concern (values of hub.cases.models.CATEGORIES)."""

    service = ForeignKeyField(Service, backref="category_links", column_name="service_id")
    category = CharField()

    class Meta:
        table_name = "service_category"

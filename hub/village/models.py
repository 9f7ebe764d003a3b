"""Village profile tables (made by migration 0001)."""

from peewee import CharField, IntegerField

from hub.db import BaseModel


class Village(BaseModel):
    """The one village this hub serves (a single row with id 1)."""

    name = CharField()
    district = CharField(default="")
    country = CharField()
    languages = CharField(default="en")

    @property
    def language_codes(self):
        return [code for code in self.languages.split(",") if code]


class EmergencyNumber(BaseModel):
    """A number shown on the home page, in the order the village chose."""

    CHILD_HELPLINE = "child_helpline"
    EMERGENCY = "emergency"
    POLICE = "police"
    AMBULANCE = "ambulance"
    WOMEN_HELPLINE = "women_helpline"
    FIRE = "fire"
    OTHER = "other"
    CHOICES = (CHILD_HELPLINE, EMERGENCY, POLICE, AMBULANCE, WOMEN_HELPLINE, FIRE, OTHER)

    kind = CharField()
    label = CharField(default="")  # used for OTHER only; the known kinds are translated
    number = CharField()
    position = IntegerField()

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.position, cls.id)

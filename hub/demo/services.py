"""Demo services directory: the duty bearers and providers of the village's country that its cases are
referred to, with how to reach them and the categories of concern each handles."""

from hub.cases.models import (
    CATEGORIES,
    CHILD_LABOUR,
    CHILD_MARRIAGE,
    MISSING_CHILD,
    NEGLECT,
    OTHER,
    PHYSICAL_ABUSE,
    SCHOOL_DROPOUT,
    SEXUAL_ABUSE,
    SUBSTANCE_ABUSE,
    TRAFFICKING,
    UNSAFE_MIGRATION,
)
from hub.services.models import (
    ANTI_TRAFFICKING,
    CHILD_HELPLINE,
    DISTRICT_CPU,
    HEALTH,
    LEGAL_SERVICES,
    MUNICIPAL_DEFENCE,
    NGO,
    POLICE,
    SCHOOL,
    VILLAGE_COUNCIL,
)
from hub.services.service import create_service
from hub.village.service import get_village

# The referral pathway: which categories each kind of service takes.
HANDLES = {
    POLICE: (TRAFFICKING, CHILD_MARRIAGE, SEXUAL_ABUSE, PHYSICAL_ABUSE, MISSING_CHILD, SUBSTANCE_ABUSE),
    CHILD_HELPLINE: CATEGORIES,
    ANTI_TRAFFICKING: (CHILD_LABOUR, TRAFFICKING, MISSING_CHILD, UNSAFE_MIGRATION),
    LEGAL_SERVICES: (CHILD_LABOUR, TRAFFICKING, CHILD_MARRIAGE, SEXUAL_ABUSE, PHYSICAL_ABUSE),
    HEALTH: (SEXUAL_ABUSE, PHYSICAL_ABUSE, NEGLECT, SUBSTANCE_ABUSE),
    VILLAGE_COUNCIL: (CHILD_LABOUR, CHILD_MARRIAGE, NEGLECT, SCHOOL_DROPOUT, UNSAFE_MIGRATION),
    DISTRICT_CPU: (CHILD_LABOUR, TRAFFICKING, CHILD_MARRIAGE, SEXUAL_ABUSE, PHYSICAL_ABUSE, NEGLECT, MISSING_CHILD,
                   UNSAFE_MIGRATION, OTHER),
    MUNICIPAL_DEFENCE: (CHILD_LABOUR, SEXUAL_ABUSE, PHYSICAL_ABUSE, NEGLECT, SCHOOL_DROPOUT, OTHER),
    SCHOOL: (CHILD_LABOUR, CHILD_MARRIAGE, SCHOOL_DROPOUT, SUBSTANCE_ABUSE),
    NGO: (CHILD_LABOUR, NEGLECT, SCHOOL_DROPOUT, UNSAFE_MIGRATION, SUBSTANCE_ABUSE, OTHER),
}
# The Peruvian women's ministry (MIMP) line for family violence, 100, is the village profile's default
# "child helpline" for Peru, so the directory lists it beside the ministry's line for children, 1810.
FAMILY_VIOLENCE = (PHYSICAL_ABUSE, SEXUAL_ABUSE, NEGLECT, CHILD_MARRIAGE)

OFFICE = "10:00-17:00, Monday to Friday"
ALWAYS = "Day and night, every day"
# (name, kind, phone, address, hours, languages[, categories if not those of its kind]) per country.
# {village} and {district} come from the village profile; LOCAL is a made-up local number drawn from the
# seed. National numbers are the real ones, and each country's child helpline is also the one among the
# village profile's emergency numbers (hub.village.service.COUNTRIES).
LOCAL = "local"
DIRECTORY = {
    "IN": (
        ("{village} Police Station", POLICE, LOCAL, "Thana road, {village}", ALWAYS, "Hindi"),
        ("Child Helpline 1098", CHILD_HELPLINE, "1098", "", ALWAYS, "Hindi, English"),
        ("Anti-Human Trafficking Unit, {district}", ANTI_TRAFFICKING, LOCAL,
         "Superintendent of Police office, {district}", OFFICE + "; by phone at any hour", "Hindi, English"),
        ("District Legal Services Authority, {district}", LEGAL_SERVICES, "15100", "District court, {district}",
         OFFICE, "Hindi, English"),
        ("Primary Health Centre, {village}", HEALTH, LOCAL, "Near the bus stand, {village}",
         "9:00-16:00, Monday to Saturday; emergencies at any hour", "Hindi"),
        ("Gram Panchayat office, {village}", VILLAGE_COUNCIL, LOCAL, "Panchayat bhawan, {village}",
         "10:00-14:00, Monday to Saturday", "Hindi"),
        ("District Child Protection Unit, {district}", DISTRICT_CPU, LOCAL, "Collectorate, {district}", OFFICE,
         "Hindi, English"),
        ("Government Upper Primary School, {village}", SCHOOL, LOCAL, "School para, {village}",
         "8:00-14:00 on school days", "Hindi, English"),
        ("Nanhi Asha Trust", NGO, LOCAL, "Market road, {district}", "10:00-18:00, Monday to Saturday",
         "Hindi, English"),
    ),
    "BD": (
        ("{village} Police Station", POLICE, LOCAL, "Thana road, {village}", ALWAYS, "Bangla"),
        ("Child Helpline 1098", CHILD_HELPLINE, "1098", "", ALWAYS, "Bangla, English"),
        ("Counter-Trafficking Committee, {district}", ANTI_TRAFFICKING, LOCAL,
         "Deputy Commissioner's office, {district}", "9:00-17:00, Sunday to Thursday", "Bangla, English"),
        ("District Legal Aid Office, {district}", LEGAL_SERVICES, "16430", "Judge court building, {district}",
         "9:00-17:00, Sunday to Thursday", "Bangla, English"),
        ("Union Health and Family Welfare Centre, {village}", HEALTH, LOCAL, "Bazar road, {village}",
         "9:00-15:00, Saturday to Thursday", "Bangla"),
        ("Union Parishad office, {village}", VILLAGE_COUNCIL, LOCAL, "Union Parishad complex, {village}",
         "9:00-17:00, Sunday to Thursday", "Bangla"),
        ("District Social Services Office (child protection), {district}", DISTRICT_CPU, LOCAL,
         "Collectorate, {district}", "9:00-17:00, Sunday to Thursday", "Bangla, English"),
        ("{village} Government Primary School", SCHOOL, LOCAL, "School para, {village}",
         "9:00-16:00 on school days", "Bangla, English"),
        ("Shishu Alo Foundation", NGO, LOCAL, "College road, {district}", "9:00-18:00, Saturday to Thursday",
         "Bangla, English"),
    ),
    "NP": (
        ("Area Police Office, {village}", POLICE, LOCAL, "Main bazaar, {village}", ALWAYS, "Nepali"),
        ("Child Helpline 1098", CHILD_HELPLINE, "1098", "", ALWAYS, "Nepali, English"),
        ("Anti-Human Trafficking desk, District Police Office {district}", ANTI_TRAFFICKING, LOCAL,
         "District Police Office, {district}", "10:00-17:00, Sunday to Friday; by phone at any hour",
         "Nepali, English"),
        ("District Legal Aid Committee, {district}", LEGAL_SERVICES, LOCAL, "District court, {district}",
         "10:00-17:00, Sunday to Friday", "Nepali, English"),
        ("{village} Health Post", HEALTH, LOCAL, "Ward 3, {village}", "10:00-16:00, Sunday to Friday", "Nepali"),
        ("Ward office, {village}", VILLAGE_COUNCIL, LOCAL, "Ward 3, {village}", "10:00-17:00, Sunday to Friday",
         "Nepali"),
        ("Child Rights Committee, {district}", DISTRICT_CPU, LOCAL, "District Coordination Committee, {district}",
         "10:00-17:00, Sunday to Friday", "Nepali, English"),
        ("Shree {village} Secondary School", SCHOOL, LOCAL, "School road, {village}",
         "10:00-16:00 on school days", "Nepali, English"),
        ("Saathi Sangam Nepal", NGO, LOCAL, "Bus park road, {district}", "10:00-17:00, Sunday to Friday",
         "Nepali, English"),
    ),
    "PE": (
        ("Comisaría PNP {village}", POLICE, LOCAL, "Plaza de Armas, {village}", ALWAYS, "Spanish, Quechua"),
        ("Línea 1810 (MIMP)", CHILD_HELPLINE, "1810", "", "7:00-19:00, Monday to Saturday", "Spanish, Quechua"),
        ("Línea 100 (MIMP)", CHILD_HELPLINE, "100", "", ALWAYS, "Spanish, Quechua", FAMILY_VIOLENCE),
        ("Fiscalía contra la trata de personas, {district}", ANTI_TRAFFICKING, LOCAL, "Jr. Lima, {district}",
         "8:00-16:45, Monday to Friday", "Spanish"),
        ("Defensa Pública (ALEGRA), {district}", LEGAL_SERVICES, "1884", "Jr. Arequipa, {district}",
         "8:30-16:30, Monday to Friday", "Spanish, Quechua"),
        ("Puesto de Salud {village}", HEALTH, LOCAL, "Av. Principal, {village}", "8:00-14:00, Monday to Saturday",
         "Spanish, Quechua"),
        ("Junta directiva comunal, {village}", VILLAGE_COUNCIL, LOCAL, "Local comunal, {village}",
         "Sunday mornings, and by phone", "Spanish, Quechua"),
        ("Unidad de Protección Especial, {district}", DISTRICT_CPU, LOCAL, "Jr. Grau, {district}",
         "8:30-16:30, Monday to Friday", "Spanish"),
        ("DEMUNA, Municipalidad de {village}", MUNICIPAL_DEFENCE, LOCAL, "Plaza de Armas, {village}",
         "8:00-16:00, Monday to Friday", "Spanish, Quechua"),
        ("Institución Educativa {village}", SCHOOL, LOCAL, "Jr. Bolívar, {village}", "7:45-13:00 on school days",
         "Spanish, Quechua"),
        ("Asociación Wawakuna", NGO, LOCAL, "Jr. Libertad, {district}", "9:00-17:00, Monday to Friday",
         "Spanish, Quechua"),
    ),
}


def _local_number(rng, country):
    """A made-up local number written the country's way."""
    if country == "IN":
        return f"0{rng.randint(3400, 6999)} {rng.randint(220000, 289999)}"
    if country == "BD":
        return f"01{rng.choice('3789')}{rng.randint(10, 99)} {rng.randint(100000, 999999)}"
    if country == "NP":
        return f"0{rng.randint(10, 99)}-{rng.randint(400000, 699999)}"
    return f"9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def add_services(build):
    """The country's directory, through the services area; build.services = {kind: [Service, ...]}."""
    village = get_village()
    build.services = {}
    for name, kind, phone, address, hours, languages, *handles in DIRECTORY[build.country]:
        phone = _local_number(build.rng, build.country) if phone == LOCAL else phone
        categories = handles[0] if handles else HANDLES[kind]
        service = create_service(name.format(village=village.name, district=village.district), kind, phone,
                                 address.format(village=village.name, district=village.district), hours,
                                 languages, categories)
        build.services.setdefault(kind, []).append(service)

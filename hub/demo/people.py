"""Demo people: children and adults with names of the village's country, in their groups."""

from datetime import date

from hub import clock
from hub.groups.models import Group
from hub.people.models import IN_SCHOOL, OUT_OF_SCHOOL, GroupMember
from hub.people.service import create_person

FIRST_NAMES = {
    "south_asia": {
        "female": ("Anita", "Asha", "Babita", "Chanda", "Deepa", "Farida", "Gita", "Jyoti", "Kajal", "Lakshmi",
                   "Meena", "Nasreen", "Nisha", "Pooja", "Priya", "Puja", "Rani", "Rekha", "Rina", "Rupa",
                   "Salma", "Sangita", "Shabnam", "Sita", "Sunita", "Tania", "Usha"),
        "male": ("Abdul", "Ajay", "Amit", "Anil", "Arif", "Babu", "Bikash", "Deepak", "Gopal", "Hari", "Imran",
                 "Karim", "Manoj", "Mohammad", "Raju", "Rakesh", "Ramesh", "Ravi", "Rohit", "Sanjay", "Shyam",
                 "Sohel", "Suman", "Vijay"),
    },
    "andes": {
        "female": ("Ana", "Carmen", "Daniela", "Elena", "Flor", "Gabriela", "Isabel", "Juana", "Lucía", "María",
                   "Milagros", "Nelly", "Patricia", "Rosa", "Sonia", "Yesenia"),
        "male": ("Alberto", "Carlos", "David", "Edwin", "Fernando", "Jhon", "Jorge", "José", "Juan", "Luis",
                 "Miguel", "Pedro", "Raúl", "Wilber"),
    },
}
SURNAMES = {
    "IN": ("Kumar", "Devi", "Yadav", "Das", "Singh", "Khatun", "Mandal", "Paswan", "Ansari", "Sahu"),
    "BD": ("Akter", "Begum", "Hossain", "Islam", "Khatun", "Mia", "Rahman", "Sarkar", "Uddin", "Das"),
    "NP": ("Tamang", "Shrestha", "Gurung", "Magar", "Thapa", "Rai", "Sherpa", "Bk", "Lama", "Karki"),
    "PE": ("Quispe", "Mamani", "Huamán", "Condori", "Flores", "Ccama", "Rojas", "Gutiérrez", "Torres", "Ramos"),
}
HAMLETS = ("North tola", "River side", "Market", "School para", "Hill side")
GUARDIANS = ("mother", "father", "grandmother", "uncle", "aunt")


def _name(rng, country, sex):
    names = FIRST_NAMES["andes" if country == "PE" else "south_asia"]["female" if sex == "female" else "male"]
    return f"{rng.choice(names)} {rng.choice(SURNAMES[country])}"


def _add(rng, country, sex, birth_year, group, role="member", joined_on=None, out_of_school=False):
    today = clock.today()
    consent = rng.random() > 0.04  # a few families have not given consent yet: kept out of lists
    return create_person(
        _name(rng, country, sex), sex, birth_year=birth_year,
        school_status=OUT_OF_SCHOOL if out_of_school else IN_SCHOOL if today.year - birth_year < 18 else "unknown",
        guardian=rng.choice(GUARDIANS) if today.year - birth_year < 18 else "",
        contact=f"9{rng.randrange(10**8, 10**9)}", hamlet=rng.choice(HAMLETS),
        consent_by=rng.choice(GUARDIANS) if consent else "",
        consent_on=date(today.year - 1, rng.randint(1, 12), rng.randint(1, 28)) if consent else None,
        group=group, role=role, joined_on=joined_on or date(today.year - 1, 1, 15), save_anyway=True)


def add_people(build):
    """Children in the two children's groups by age, mothers, carers, youth volunteers, committee members."""
    rng, today, country = build.rng, clock.today(), build.country
    by_kind = {}
    for group in build.groups:
        by_kind.setdefault(group.kind, []).append(group)
    younger, older = by_kind[Group.CHILDRENS_GROUP]
    build.children_by_group = {younger.id: [], older.id: []}
    for index in range(build.children):
        age = rng.randint(8, 17)
        group = younger if age <= 12 else older
        role = GroupMember.CAPTAIN if index < 2 else GroupMember.MEMBER
        person = _add(rng, country, rng.choice(("female", "male")), today.year - age, group, role=role,
                      out_of_school=rng.random() < 0.08)
        build.children_by_group[group.id].append(person)
    adult_groups = ((Group.MOTHERS_GROUP, 25, ("chair", "secretary", "treasurer"), ("female",)),
                    (Group.CARE_GROUP, 12, ("chair", "secretary"), ("female", "male")),
                    (Group.YOUTH_FORUM, 15, ("chair", "mentor"), ("female", "male")),
                    (Group.VIGILANCE_COMMITTEE, 8, ("chair",), ("female", "male")),
                    (Group.SCHOOL_COMMITTEE, 9, ("chair", "secretary"), ("female", "male")))
    for kind, count, officers, sexes in adult_groups:
        for index in range(count):
            age = rng.randint(16, 24) if kind == Group.YOUTH_FORUM else rng.randint(22, 60)
            role = officers[index] if index < len(officers) else GroupMember.MEMBER
            _add(rng, country, rng.choice(sexes), today.year - age, by_kind[kind][0], role=role)

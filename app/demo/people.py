"""Realistic demo refugees and volunteers, generated the same way every time.

A fixed random seed makes the set repeatable; people are keyed by their
demo e-mail address, so seeding again adds only who is missing.
"""
import random
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.interests import interests
from app.municipalities.models import Municipality, PostcodeArea
from app.people.models import Person
from app.people.services import build_person
from app.timeutil import today_local

SEED = 2026
REFUGEES = 200
VOLUNTEERS = 300
#: København, Frederiksberg, Aarhus, Odense, Aalborg, Esbjerg, Vejle.
MUNICIPALITIES = (101, 147, 751, 461, 851, 561, 630)

#: (language code, level of mother tongue) with (full name, Latin spelling, gender) samples.
REFUGEE_GROUPS = (
    ("ar", [("محمد الحسن", "Mohammed Al-Hassan", "male"), ("فاطمة الزهراء", "Fatima Al-Zahra", "female"),
            ("أحمد خليل", "Ahmad Khalil", "male"), ("ريم منصور", "Reem Mansour", "female"),
            ("يوسف عبد الله", "Yousef Abdullah", "male"), ("نور حداد", "Nour Haddad", "female")]),
    ("ti", [("ሰላም ተስፋይ", "Selam Tesfay", "female"), ("ዳዊት ገብረሚካኤል", "Dawit Gebremichael", "male"),
            ("ሄለን ብርሃነ", "Helen Berhane", "female"), ("ዮናስ ኣብርሃ", "Yonas Abraha", "male")]),
    ("prs", [("احمد شاه رحیمی", "Ahmad Shah Rahimi", "male"), ("زهرا حسینی", "Zahra Hosseini", "female"),
             ("مریم نوری", "Maryam Noori", "female"), ("علی رضایی", "Ali Rezaei", "male")]),
    ("fa", [("سارا کریمی", "Sara Karimi", "female"), ("رضا محمدی", "Reza Mohammadi", "male")]),
    ("so", [("Hodan Abdi Warsame", None, "female"), ("Abdirahman Yusuf Ali", None, "male"),
            ("Faadumo Hassan Nur", None, "female")]),
    ("uk", [("Олена Коваленко", "Olena Kovalenko", "female"), ("Андрій Шевченко", "Andrii Shevchenko", "male"),
            ("Ірина Бондаренко", "Iryna Bondarenko", "female"), ("Марія Ткаченко", "Mariia Tkachenko", "female")]),
    ("ps", [("ګل احمد", "Gul Ahmad", "male")]),
    ("ckb", [("ئاراس محەمەد", "Aras Mohammed", "male")]),
)
VOLUNTEER_FIRST = ("Anne", "Mette", "Søren", "Lars", "Kirsten", "Jens", "Hanne", "Peter", "Ida", "Mads",
                   "Sofie", "Rasmus", "Birgitte", "Niels", "Camilla", "Jørgen", "Line", "Thomas", "Asger",
                   "Amira", "Hamid", "Leila", "Samir", "Tsega", "Olga")
VOLUNTEER_LAST = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
                  "Rasmussen", "Jørgensen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Østergaard",
                  "Haddad", "Rahimi", "Tesfay")
VOLUNTEER_EXTRA_LANGUAGES = ("en", "de", "ar", "fa", "ti", "uk", "fr", "es", "so", "ru")
METHODS = ("paper", "oral_interpreter", "oral", "online")


def _postcodes():
    areas = db.session.scalars(
        sa.select(PostcodeArea).where(PostcodeArea.municipality_code.in_(MUNICIPALITIES))
    ).all()
    by_municipality = {}
    for area in areas:
        by_municipality.setdefault(area.municipality_code, []).append(str(area.first))
    return by_municipality


def _common(rng, index, kind, postcodes):
    municipality = rng.choice(MUNICIPALITIES)
    keys = list(interests())
    return {
        "email": f"{kind[0]}{index:04d}@demo.example.org",
        "phone": f"+452{rng.randrange(10_000_000):07d}" if rng.random() < 0.8 else None,
        "municipality_code": municipality,
        "postcode": rng.choice(postcodes[municipality]),
        "interests": rng.sample(keys, rng.randint(1, 5)),
        "available_weekday_day": rng.random() < 0.4,
        "available_weekday_evening": rng.random() < 0.6,
        "available_weekend": rng.random() < 0.6,
        "consent_method": rng.choice(METHODS),
    }


def _refugee(rng, index, postcodes, today):
    language, names = rng.choice(REFUGEE_GROUPS)
    full_name, latin, gender = rng.choice(names)
    children = [today.year - rng.randint(0, 17) for _ in range(rng.choice((0, 0, 1, 2, 3, 4)))]
    languages = {language: 5, "da": rng.choice((1, 1, 2, 2, 3))}
    if rng.random() < 0.5:
        languages["en"] = rng.randint(1, 4)
    if language == "prs":
        languages["fa"] = 4
    data = _common(rng, index, "refugee", postcodes) | {
        "full_name": full_name,
        "latin_name": latin,
        "gender": gender,
        "birth_year": today.year - rng.randint(19, 62),
        "message_locale": {"ar": "ar", "ti": "ti", "prs": "fa", "fa": "fa", "ps": "fa"}.get(language, "en"),
        "languages": languages,
        "arrived_on": today - timedelta(days=rng.randint(3, 420)),
        "household_adults": rng.choice((1, 1, 2, 2, 3)),
        "children_birth_years": children,
        "family": bool(children) and rng.random() < 0.5,
        "wants_gender": gender if rng.random() < 0.2 else None,
        "consents": {"matching": rng.random() < 0.92, "contact": True, "statistics": rng.random() < 0.7},
    }
    # "matched" comes from real matches (app/demo/matches.py), not from here.
    status = "waiting" if rng.random() < 0.85 else rng.choice(("paused", "left"))
    return data, status


def _volunteer(rng, index, postcodes, today):
    first, last = rng.choice(VOLUNTEER_FIRST), rng.choice(VOLUNTEER_LAST)
    languages = {"da": 5}
    for code in rng.sample(VOLUNTEER_EXTRA_LANGUAGES, rng.randint(0, 2)):
        languages[code] = rng.randint(2, 5)
    certificate = today - timedelta(days=rng.randint(10, 900)) if rng.random() < 0.6 else None
    data = _common(rng, index, "volunteer", postcodes) | {
        "full_name": f"{first} {last}",
        "gender": rng.choice(("female", "female", "male")),
        "birth_year": today.year - rng.randint(20, 75),
        "message_locale": "da",
        "languages": languages,
        "capacity": rng.choice((1, 1, 1, 2, 2, 3)),
        "max_distance_km": rng.choice((None, 3, 5, 10, 20)),
        "family": rng.random() < 0.2,
        "child_certificate_on": certificate,
        "child_certificate_clean": certificate is not None,
        "trainings": [("Introduktion til Venner Viser Vej", today - timedelta(days=rng.randint(30, 700)))]
        if rng.random() < 0.7 else [],
        "recruited_by": rng.choice(("Biblioteksmøde", "Facebook", "Frivilligfredag", "En ven", None)),
        "consents": {"matching": True, "contact": True, "statistics": rng.random() < 0.8},
    }
    status = rng.choices(("available", "applicant", "paused"), (85, 8, 7))[0]
    return data, status


def seed_people(today=None):
    """Add the demo refugees and volunteers that are not there yet; return how many were added."""
    today = today or today_local()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 0:
        raise RuntimeError("load the reference data first: flask refdata load")
    rng = random.Random(SEED)
    postcodes = _postcodes()
    people = [("refugee", *_refugee(rng, i, postcodes, today)) for i in range(REFUGEES)]
    people += [("volunteer", *_volunteer(rng, i, postcodes, today)) for i in range(VOLUNTEERS)]
    # A few refugees registered twice, with another spelling, for the duplicate checks.
    for i in range(0, 30, 6):
        kind, data, status = people[i]
        if data["latin_name"]:
            twin = data | {"email": f"twin{i:04d}@demo.example.org", "full_name": data["latin_name"],
                           "latin_name": None, "phone": None}
            people.append((kind, twin, status))
    known = set(db.session.scalars(sa.select(Person.email).where(Person.email.like("%@demo.example.org"))))
    added = 0
    for kind, data, status in people:
        if data["email"] not in known:
            build_person(kind, data, None, status=status)
            added += 1
    db.session.flush()
    return added

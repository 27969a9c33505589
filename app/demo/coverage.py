"""A national demo: agreements in most municipalities, and refugees, volunteers and friendships across the country.

The people in app/demo/people.py live in seven cities; the coverage
dashboard and map need the other municipalities too. Each municipality gets
people in proportion to its population and friendships that started over the
past two years (written with their historical dates, which the live
lifecycle in app.matches.services cannot do), and an agreement whose state
is drawn once from a fixed seed: most signed, some running out soon, some in
dialogue, expired or terminated, a few with no contact yet. Seeding again
adds nothing.
"""
import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.agreements.models import Agreement, AgreementStatusChange
from app.auth.models import Organisation, User
from app.demo.people import MUNICIPALITIES, SEED, _refugee, _volunteer
from app.demo.seed import ORGANISATIONS
from app.extensions import db
from app.matches.models import Match
from app.municipalities.models import Municipality, PostcodeArea
from app.people.models import Person
from app.people.services import build_person
from app.timeutil import LOCAL_ZONE, today_local

#: One demo refugee per this many inhabitants (at least 3 per municipality).
INHABITANTS_PER_REFUGEE = 6_000
#: Share of each municipality's refugees already matched, and of those the share whose friendship ended.
MATCHED, ENDED = 0.6, 0.25
#: Municipalities left without any friendship, so the map shows gaps where the programme does not run.
NOT_STARTED = 0.06

COMMITMENTS = (
    "Kommunen henviser nyankomne flygtninge til programmet inden for de første tre måneder og stiller "
    "lokaler til rådighed for introduktionsmøder.",
    "Organisationen rekrutterer, uddanner og følger op på frivillige venner og rapporterer to gange om året.",
)


def _agreement_state(rng, today):
    """(status, signed_on, valid_from, valid_to) drawn for one municipality."""
    roll = rng.random()
    if roll < 0.06:
        return None
    if roll < 0.13:
        return "in_dialogue", None, None, None
    if roll < 0.16:
        return "terminated", None, None, None
    start = today - timedelta(days=rng.randint(60, 1400))
    if roll < 0.19:  # signed, but its end date has passed
        return "signed", start - timedelta(days=14), start, today - timedelta(days=rng.randint(5, 120))
    if roll < 0.27:  # runs out within the next 90 days
        return "signed", start - timedelta(days=14), start, today + timedelta(days=rng.randint(5, 89))
    return "signed", start - timedelta(days=14), start, start + timedelta(days=365 * rng.choice((3, 4, 5)))


def seed_agreements(rng, today):
    """Add an agreement for most municipalities that have none; return how many were added."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)):
        return 0
    organisations = db.session.scalars(sa.select(Organisation).where(Organisation.name.in_(ORGANISATIONS))).all()
    coordinator = db.session.scalars(sa.select(User).where(User.email == "headoffice@demo.example.org")).first()
    added = 0
    for code in db.session.scalars(sa.select(Municipality.code).order_by(Municipality.code)):
        state = _agreement_state(rng, today)
        if state is None and code not in MUNICIPALITIES:
            continue
        status, signed_on, valid_from, valid_to = state or ("signed", today - timedelta(days=400),
                                                             today - timedelta(days=380), None)
        agreement = Agreement(
            municipality_code=code, organisation_id=rng.choice(organisations).id, status=status,
            signed_on=signed_on, valid_from=valid_from, valid_to=valid_to,
            municipal_contact="Integrationsafdelingen" if status != "no_contact" else None,
            coordinator_id=coordinator.id if coordinator else None,
            municipality_commitments=COMMITMENTS[0] if signed_on else None,
            organisation_commitments=COMMITMENTS[1] if signed_on else None,
        )
        agreement.history.append(AgreementStatusChange(status=status))
        db.session.add(agreement)
        added += 1
    return added


def _at(day, rng):
    return datetime.combine(day, time(rng.randint(9, 18)), LOCAL_ZONE)


def seed_national_people(rng, today):
    """Add refugees, volunteers and dated friendships outside the seven demo cities; return (people, matches)."""
    if db.session.scalar(sa.select(sa.func.count()).where(Person.email.like("n%@demo.example.org"))):
        return 0, 0
    postcodes = {}
    for code, first in db.session.execute(sa.select(PostcodeArea.municipality_code, PostcodeArea.first)):
        postcodes.setdefault(code, []).append(str(first))
    people = matches = 0
    rows = db.session.execute(sa.select(Municipality.code, Municipality.population).order_by(Municipality.code))
    for code, population in rows:
        if code in MUNICIPALITIES or code not in postcodes:
            continue
        # The shared generators pick one of the seven demo cities; the municipality is set after.
        here = dict.fromkeys(MUNICIPALITIES, postcodes[code])
        refugees, volunteers = [], []
        for i in range(max(3, (population or 0) // INHABITANTS_PER_REFUGEE)):
            data, status = _refugee(rng, i, here, today)
            data |= {"email": f"n{code}r{i:03d}@demo.example.org", "municipality_code": code,
                     "postcode": rng.choice(postcodes[code])}
            refugees.append((data, status))
        for i in range(max(2, len(refugees) * 3 // 4)):
            data, status = _volunteer(rng, i, here, today)
            data |= {"email": f"n{code}v{i:03d}@demo.example.org", "municipality_code": code,
                     "postcode": rng.choice(postcodes[code])}
            volunteers.append(build_person("volunteer", data, None, status="available")[0])
        room = {volunteer: volunteer.capacity or 1 for volunteer in volunteers}
        started = rng.random() > NOT_STARTED
        for data, status in refugees:
            ended = started and rng.random() < MATCHED * ENDED
            free = [v for v, places in room.items() if places > 0]
            matched = ended or (started and bool(free) and rng.random() < MATCHED)
            refugee = build_person("refugee", data, None, status="left" if ended else (
                "matched" if matched else status))[0]
            people += 1
            if not matched:
                continue
            volunteer = rng.choice(volunteers if ended else free)
            activated = _at(today - timedelta(days=rng.randint(1, 720)), rng)
            db.session.flush()
            db.session.add(Match(
                refugee_id=refugee.id, volunteer_id=volunteer.id, status="ended" if ended else "active",
                proposed_at=activated - timedelta(days=7), refugee_accepted_at=activated,
                volunteer_accepted_at=activated, activated_at=activated,
                ended_at=min(activated + timedelta(days=rng.randint(60, 400)), _at(today, rng)) if ended else None,
                end_reason=rng.choice(("natural_end", "moved")) if ended else None,
            ))
            if not ended:
                room[volunteer] -= 1
                volunteer.status = "matched" if room[volunteer] else "full"
            matches += 1
        people += len(volunteers)
    db.session.flush()
    return people, matches


def seed_coverage(today=None):
    """Seed agreements and the national people; return (agreements, people, matches) added."""
    today = today or today_local()
    rng = random.Random(SEED + 10)
    people, matches = seed_national_people(rng, today)
    return seed_agreements(rng, today), people, matches

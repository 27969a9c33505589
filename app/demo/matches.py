"""Demo matches: proposed, active and ended, made through the real lifecycle."""
import random

import sqlalchemy as sa

from app.demo.people import MUNICIPALITIES, SEED
from app.extensions import db
from app.matches import services
from app.matches.models import END_REASONS, Match, MatchStatus
from app.matches.suggesting import batch_preview

#: Of each municipality's optimal proposals: this share becomes active, then ended, the rest stays proposed.
ACTIVE, ENDED = 0.5, 0.15


def seed_matches():
    """Match demo refugees once, through batch matching; return how many matches were made."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Match)):
        return 0
    rng = random.Random(SEED)
    made = 0
    # The first matches end once for each reason, so a new user sees the rule at
    # work: a failed pair is never suggested again, others come back "matched before".
    first_endings = iter(END_REASONS)
    for code in MUNICIPALITIES:
        for refugee, volunteer, _ in batch_preview(code).proposals[:12]:
            match = services.propose(refugee.id, volunteer.id, None)
            made += 1
            roll = rng.random()
            ending = next(first_endings, None) or (rng.choice(tuple(END_REASONS)) if roll < ENDED else None)
            if ending != "withdrawn" and (ending or roll < ACTIVE + ENDED):
                services.accept(match, "refugee", None)
                services.accept(match, "volunteer", None)
            if ending:
                services.end(match, None, ending)
    db.session.flush()
    return made


def link_demo_accounts(users):
    """Give the demo refugee and volunteer the two people of an active friendship, so their own pages show it."""
    by_role = {user.role: user for user in users}
    refugee_user, volunteer_user = by_role["refugee"], by_role["volunteer"]
    if refugee_user.person_id and volunteer_user.person_id:
        return
    match = db.session.scalars(
        sa.select(Match).where(Match.status == MatchStatus.ACTIVE).order_by(Match.id)
    ).first()
    if match is None:
        return
    refugee_user.person_id, volunteer_user.person_id = match.refugee_id, match.volunteer_id
    db.session.flush()

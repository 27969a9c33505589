"""Ranked suggestions for one refugee and batch proposals for a municipality."""
from dataclasses import dataclass

from app.extensions import db
from app.matches.candidates import (
    configured_weights,
    earlier_matches,
    matchable,
    never_again_pairs,
    refugee_candidate,
    volunteer_columns,
    volunteers_by_id,
    waiting_refugees,
)
from app.matching import assign_and_compare, exclusion_counts, prepare, rank, score_pair
from app.people.models import Volunteer
from app.people.queries import PeopleFilter, people_query
from app.permissions import municipality_codes
from app.timeutil import today_local


def _area(user, refugee_municipality):
    """Where to look for volunteers: the manager's municipalities (for admins, the refugee's)."""
    codes = municipality_codes(user)
    return codes if codes is not None else {refugee_municipality}


@dataclass
class Suggestions:
    ranked: list  # [(Volunteer, Score)]
    excluded: int
    exclusion_counts: list  # [(code, count)], commonest first
    considered: int
    history: dict  # {(refugee id, volunteer id): [earlier ended matches]}


def suggestions_for(refugee, user, family_only=False, limit=10):
    """Rank the volunteers for `refugee` and say why the others are left out.

    Every volunteer in the area is scored from plain columns turned into
    arrays; only the `limit` ranked ones become Candidates (for their
    reasons) and ORM objects (for their cards), so the page costs little
    more with 5,000 volunteers than with 500.
    """
    today = today_local()
    volunteers = prepare(volunteer_columns(_area(user, refugee.municipality_code), today, family_only=family_only))
    candidate = refugee_candidate(refugee, today)
    never_again = never_again_pairs([refugee.id])
    ranked = rank(candidate, volunteers, limit=limit, exclude=never_again, weights=configured_weights(), today=today)
    by_id = volunteers_by_id([vid for vid, _ in ranked])
    excluded, counts = exclusion_counts(candidate, volunteers, exclude=never_again)
    return Suggestions(
        ranked=[(by_id[vid], score) for vid, score in ranked],
        excluded=excluded,
        exclusion_counts=counts.most_common(),
        considered=len(volunteers),
        history=earlier_matches([refugee.id]),
    )


def volunteers_to_propose(refugee, user, text, chosen_id=None, limit=20):
    """Volunteers a manager may propose by hand: the one already chosen, then those `text` finds, best first.

    The manual proposal searches (name in any spelling, phone or e-mail)
    rather than listing everyone: a city has thousands of volunteers. Only
    volunteers in the area who may take a friend now are found; the pair
    rules are not applied, and proposing a pair they exclude asks for a reason.
    """
    in_area = Volunteer.municipality_code.in_(_area(user, refugee.municipality_code))
    found = []
    if chosen_id is not None:
        found = db.session.scalars(
            people_query(Volunteer, user, PeopleFilter()).where(in_area, Volunteer.id == chosen_id)
        ).all()
    if text.strip():
        query = people_query(Volunteer, user, PeopleFilter(text=text)).where(in_area, *matchable(Volunteer))
        found += [v for v in db.session.scalars(query.limit(limit)) if v.id != chosen_id]
    return found


@dataclass
class BatchPreview:
    proposals: list  # [(WaitingRefugee, Volunteer, Score)]
    optimal_total: float
    greedy_total: float
    greedy_pairs: int
    unmatched: list  # [(WaitingRefugee, [(code, count)])]
    history: dict  # {(refugee id, volunteer id): [earlier ended matches]}

    def people_shown(self):
        """Everyone the preview names: the proposals' refugees and volunteers, and the refugees left waiting.

        All of them are in the previewed municipality, and each already
        carries its id, so logging them costs no query.
        """
        return [*(person for refugee, volunteer, _ in self.proposals for person in (refugee, volunteer)),
                *(refugee for refugee, _ in self.unmatched)]


def batch_preview(municipality_code):
    """The optimal proposals for everyone waiting in a municipality, beside greedy's.

    The allowed pairs are scored once for both methods; `score_pair` runs
    only for the proposals shown (their reasons), and the unmatched
    refugees' exclusion reasons come from array masks.
    """
    today = today_local()
    refugees = waiting_refugees([municipality_code], today)
    volunteers = prepare(volunteer_columns([municipality_code], today))
    refugee_candidates = [r.candidate for r in refugees]
    never_again = never_again_pairs([r.id for r in refugees])
    w = configured_weights()
    pairs, greedy, totals = assign_and_compare(
        refugee_candidates, volunteers, exclude=never_again, weights=w, today=today
    )
    refugee_by_id = {r.id: r for r in refugees}
    candidate_by_id = {c.id: c for c in refugee_candidates}
    volunteer_by_id = volunteers_by_id([v for _, v in pairs])
    proposals = [
        (refugee_by_id[r], volunteer_by_id[v],
         score_pair(candidate_by_id[r], volunteers.candidate(volunteers.index[v]), weights=w, today=today))
        for r, v in pairs
    ]
    matched = {r for r, _ in pairs}
    unmatched = [
        (r, exclusion_counts(candidate_by_id[r.id], volunteers, exclude=never_again).counts.most_common(2))
        for r in refugees if r.id not in matched
    ]
    return BatchPreview(
        proposals=sorted(proposals, key=lambda p: -p[2].total),
        optimal_total=sum(totals[pair] for pair in pairs),
        greedy_total=sum(totals[pair] for pair in greedy),
        greedy_pairs=len(greedy),
        unmatched=unmatched,
        history=earlier_matches([r.id for r in refugees]),
    )

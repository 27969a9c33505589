"""Rules kept in one place: weights, who may be matched, who holds a person's status."""
import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.auth.models import Role
from app.extensions import db
from app.matches import services as match_services
from app.matches.candidates import matchable, refugee_candidate, volunteer_candidate, why_not_matchable
from app.matches.models import Match
from app.matches.suggesting import suggestions_for
from app.people import services as people_services
from app.matching import score_pair
from app.people.models import Person, Volunteer

ROOT = Path(__file__).resolve().parent.parent


def test_a_proposal_stores_the_score_the_manager_was_shown(app, make_person, make_user, monkeypatch):
    # Weights far from the defaults: a proposal scored with the defaults would differ.
    monkeypatch.setitem(app.config, "MATCHING_WEIGHTS", {
        "language": 0.05, "interests": 0.8, "location": 0.05, "availability": 0.05, "preferences": 0.05,
    })
    refugee = make_person("refugee", postcode="8000", languages={"ar": 5}, interests=["football", "cooking"])
    volunteer = make_person("volunteer", postcode="8200", languages={"ar": 3, "da": 5}, interests=["football"])
    manager = make_user(Role.MANAGER, ["Aarhus"])
    [(shown_volunteer, shown)] = suggestions_for(refugee, manager).ranked
    assert shown_volunteer.id == volunteer.id
    match = match_services.propose(refugee.id, volunteer.id, manager)
    assert match.score == pytest.approx(shown.total)
    with_defaults = score_pair(refugee_candidate(refugee), volunteer_candidate(volunteer, 0))
    assert match.score != pytest.approx(with_defaults.total)


@pytest.mark.parametrize("status", ["applicant", "available", "matched", "full", "paused", "left"])
@pytest.mark.parametrize("archived", [False, True])
@pytest.mark.parametrize("consent", [False, True])
def test_one_eligibility_rule_for_lists_and_for_one_person(make_person, status, archived, consent):
    volunteer = make_person("volunteer", status=status, consents={"matching": consent})
    if archived:
        volunteer.archived_at = volunteer.created_at
        db.session.commit()
    listed = db.session.scalar(sa.select(Volunteer.id).where(Volunteer.id == volunteer.id, *matchable(Volunteer)))
    assert (listed is not None) == (why_not_matchable(volunteer) is None)
    assert (listed is not None) == (status in ("available", "matched") and consent and not archived)


def test_people_in_an_open_match_are_held_by_the_service_not_only_the_page(make_person, make_user):
    refugee = make_person("refugee", languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", languages={"da": 5})
    manager = make_user(Role.MANAGER, ["Aarhus"])
    match_services.propose(refugee.id, volunteer.id, manager)
    db.session.commit()
    for person in (refugee, volunteer):
        with force_locale("en"), pytest.raises(people_services.PersonHeld, match="is in an open match"):
            people_services.change_status(person, "paused", manager)
        with pytest.raises(people_services.PersonHeld):
            people_services.archive(person, manager)
        assert db.session.get(Person, person.id).archived_at is None

    match_services.end(db.session.scalars(sa.select(Match)).one(), manager, "natural_end")
    people_services.archive(volunteer, manager)
    assert volunteer.archived_at is not None


def test_the_people_registry_imports_no_feature():
    """People send signals; matches (and later features) subscribe, never the other way round."""
    features = ("app.matches", "app.followup", "app.recruitment", "app.events", "app.privacy")
    for path in (ROOT / "app" / "people").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        assert not [m for m in imported if m.startswith(features)], path.name


def test_merging_moves_matches_through_the_signal_and_refuses_two_open_ones(make_person, make_user):
    from app.people.merging import MergeError, merge_people

    manager = make_user(Role.MANAGER, ["Aarhus"])
    keep = make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 3})
    duplicate = make_person("refugee", full_name="Amal Hadad", languages={"ar": 5, "da": 3})
    first, second = (make_person("volunteer", languages={"da": 5}) for _ in range(2))
    match = match_services.propose(duplicate.id, first.id, manager)
    db.session.commit()

    merge_people(keep, duplicate, manager)
    db.session.commit()
    assert db.session.get(Match, match.id).refugee_id == keep.id

    other = make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 3})
    match_services.propose(other.id, second.id, manager)
    db.session.commit()
    with pytest.raises(MergeError):
        merge_people(keep, other, manager)

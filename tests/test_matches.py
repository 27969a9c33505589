import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.auth.models import Role
from app.extensions import db
from app.matches import services
from app.matches.candidates import (
    refugee_candidate,
    suggestible_volunteers,
    volunteer_candidate,
    volunteer_columns,
    waiting_refugees,
)
from app.matches.models import Match
from app.matching import exclusion_counts, prepare, rank
from app.people.models import Person, Refugee


def reload(person):
    db.session.expire_all()
    return db.session.get(Person, person.id)


@pytest.fixture
def people(make_person):
    """A waiting Arabic-speaking refugee and volunteers around Aarhus."""
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5, "da": 1},
                          interests=["football", "cooking"], arrived_on=date.today() - timedelta(days=30))
    best = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4, "da": 5},
                       interests=["football", "cooking"], capacity=1)
    good = make_person("volunteer", full_name="Good Friend", postcode="8200", languages={"da": 5, "ar": 2},
                       interests=["hiking"], capacity=2)
    mute = make_person("volunteer", full_name="No Common Language", postcode="8000", languages={"da": 5, "de": 4})
    return refugee, best, good, mute


def test_suggestions_rank_and_explain(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert page.index("Best Friend") < page.index("Good Friend")
    assert "No Common Language</a>" not in page.split("<details")[0]
    assert "You both speak Arabic (5 – native / 4 – fluent)" in page
    assert "2 shared interests: Cooking and Football" in page
    assert "1 volunteer cannot be suggested." in page
    assert "1 shares only Danish with them, which they speak at a basic level" in page


def test_volunteers_read_as_rows_are_the_candidates_loaded_ones_make(app, people, make_person, make_user):
    refugee, best, good, mute = people
    certified = make_person("volunteer", full_name="Certified Family", family=True, capacity=3, max_distance_km=12,
                            child_certificate_on=date.today() - timedelta(days=40), child_certificate_clean=True,
                            available_weekday_evening=True, gender="female", wants_gender="female", age_min=20)
    services.propose(refugee.id, good.id, make_user(Role.MANAGER, ["Aarhus"]))
    db.session.commit()
    volunteers = [db.session.get(Person, p.id) for p in (best, good, mute, certified)]
    open_count = {good.id: 1}
    expected = [volunteer_candidate(v, open_count.get(v.id, 0)) for v in volunteers]
    assert suggestible_volunteers([751]) == expected
    assert suggestible_volunteers([751], family_only=True) == [expected[-1]]


def test_refugees_read_as_rows_are_the_candidates_and_labels_loaded_ones_make(app, people, make_person):
    refugee, best, good, mute = people
    this_year = date.today().year
    family = make_person("refugee", full_name="Family Waiting", postcode="8200", birth_year=1985, family=True,
                         languages={"ti": 5, "ar": 3, "en": 3}, interests=["hiking", "chess"],
                         children_birth_years=[this_year - 3, this_year - 17, this_year - 25],
                         available_weekday_day=True, gender="female", wants_gender="female", age_max=60)
    make_person("refugee", full_name="Not Waiting", status="paused")
    make_person("refugee", full_name="In Odense", municipality_code=461)
    rows = waiting_refugees([751])
    # As they were loaded before: ORM objects, longest waiting first (the family's arrival is unknown,
    # so they wait from their registration today).
    loaded = db.session.scalars(
        sa.select(Refugee).where(Refugee.id.in_([refugee.id, family.id])).order_by(Refugee.waiting_since, Refugee.id)
    ).all()
    assert [person.id for person in loaded] == [refugee.id, family.id]
    assert [r.candidate for r in rows] == [refugee_candidate(r) for r in loaded]
    assert [r.candidate.household_children for r in rows if r.id == family.id] == [2]
    for row, person in zip(rows, loaded, strict=True):
        assert (row.id, row.full_name, row.birth_year, row.postcode) == (
            person.id, person.full_name, person.birth_year, person.postcode)
        assert sorted(row.languages) == sorted((l.code, l.level) for l in person.languages)
        assert [l.level for l in row.languages] == [l.level for l in person.languages]


def test_volunteers_read_as_columns_rank_as_the_loaded_ones_do(app, people, make_person, make_user):
    refugee, best, good, mute = people
    make_person("volunteer", full_name="No Arabic Yet", postcode="8210", languages={"ar": 1, "da": 5, "en": 3},
                interests=["football", "cooking", "chess"], available_weekend=True, birth_year=1990)
    make_person("volunteer", full_name="Without Languages Or Interests", postcode="8000", languages={}, interests=[])
    make_person("volunteer", full_name="Elsewhere", municipality_code=101, languages={"ar": 5})
    services.propose(refugee.id, good.id, make_user(Role.MANAGER, ["Aarhus"]))
    db.session.commit()
    volunteers = db.session.scalars(sa.select(Person).where(Person.kind == "volunteer", Person.municipality_code == 751)
                                    .order_by(Person.id)).all()
    loaded = [volunteer_candidate(v, 1 if v.id == good.id else 0) for v in volunteers]
    columns = prepare(volunteer_columns([751]))
    assert columns.ids == [v.id for v in volunteers] and len(columns) == 5
    candidate = refugee_candidate(reload(refugee))
    assert [v for v, _ in rank(candidate, columns)] == [best.id, good.id]
    assert rank(candidate, columns, limit=None) == rank(candidate, loaded, limit=None)
    assert exclusion_counts(candidate, columns) == exclusion_counts(candidate, loaded)
    assert exclusion_counts(candidate, columns).counts == {"language_too_basic": 2, "no_shared_language": 1}


def test_a_manual_proposal_searches_volunteers_instead_of_listing_them(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert 'name="volunteer"' in page and 'name="volunteer_id" id="volunteer-' not in page
    page = client.get(f"/matches/suggestions/{refugee.id}?volunteer=common+langage").get_data(as_text=True)
    manual = page.split('<details class="mt-4"')[1]
    assert f'id="volunteer-{mute.id}"' in manual and "Best Friend" not in manual
    assert "Nobody matches your search." in client.get(
        f"/matches/suggestions/{refugee.id}?volunteer=Zebedee").get_data(as_text=True)


def test_lifecycle_from_proposal_to_end(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id}, follow_redirects=True)
    assert "The match is proposed." in response.get_data(as_text=True)
    match = db.session.scalars(sa.select(Match)).one()
    assert match.status == "proposed" and match.score > 50
    assert reload(refugee).status == "matched"
    assert reload(best).status == "full"  # capacity 1

    client.post(f"/matches/{match.id}/answer", data={"side": "refugee", "answer": "yes"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == "proposed"
    client.post(f"/matches/{match.id}/answer", data={"side": "volunteer", "answer": "yes"})
    db.session.expire_all()
    match = db.session.get(Match, match.id)
    assert match.status == "active" and match.activated_at is not None

    assert "End the match between" in client.get(f"/matches/{match.id}/end").get_data(as_text=True)
    client.post(f"/matches/{match.id}/end", data={"reason": "moved", "back_to_waiting": "y"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == "ended"
    assert reload(refugee).status == "waiting"
    assert reload(best).status == "available"


def test_declined_pair_is_never_suggested_again(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id})
    match = db.session.scalars(sa.select(Match)).one()
    refused = client.post(f"/matches/{match.id}/answer", data={"side": "refugee", "answer": "no", "reason": ""},
                          follow_redirects=True)
    assert "Give a reason when a match is declined." in refused.get_data(as_text=True)
    client.post(f"/matches/{match.id}/answer", data={"side": "refugee", "answer": "no", "reason": "Too far"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == "declined"
    assert reload(refugee).status == "waiting"
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert "Good Friend" in page
    assert "Best Friend</a>" not in page.split("<details")[0]
    assert "1 declined before" in page


def test_volunteer_capacity_is_never_exceeded(app, people, make_person, make_user):
    refugee, best, good, mute = people
    other = make_person("refugee", full_name="Second Refugee", postcode="8000", languages={"ar": 5})
    user = make_user(Role.MANAGER, ["Aarhus"])
    services.propose(refugee.id, best.id, user)
    db.session.commit()
    with force_locale("en"), pytest.raises(services.MatchError, match="cannot take a friend now"):
        services.propose(other.id, best.id, user)


def test_a_refused_manual_proposal_keeps_the_choice_and_the_reason(client, login_as, people, make_person):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    mute.status = "paused"
    db.session.commit()
    page = client.post(f"/matches/propose/{refugee.id}",
                       data={"volunteer_id": mute.id, "override_reason": "Met at the café"}).get_data(as_text=True)
    assert "cannot take a friend now" in page
    assert 'value="Met at the café"' in page


def test_excluded_pair_needs_an_override_reason(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": mute.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "Give a reason to propose it anyway." in page
    assert db.session.scalars(sa.select(Match)).all() == []
    client.post(f"/matches/propose/{refugee.id}",
                data={"volunteer_id": mute.id, "override_reason": "They met at the language café"})
    match = db.session.scalars(sa.select(Match)).one()
    assert match.override_reason == "They met at the language café" and match.score is None


def test_no_consent_no_match(app, make_person, make_user):
    refugee = make_person("refugee", consents={"matching": False})
    volunteer = make_person("volunteer", languages={"ar": 5})
    with force_locale("en"), pytest.raises(services.MatchError, match="consented"):
        services.propose(refugee.id, volunteer.id, make_user(Role.MANAGER, ["Aarhus"]))


def test_matching_is_scoped_to_the_managers_municipalities(client, login_as, people, make_person):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Odense"])
    assert client.get(f"/matches/suggestions/{refugee.id}").status_code == 403
    assert client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id}).status_code == 403
    assert client.get("/matches/batch?municipality=751").status_code == 403
    client.post("/auth/logout")
    login_as(Role.HEAD_OFFICE)
    assert client.get("/matches/").status_code == 403


def test_batch_matching_previews_then_proposes_ticked(client, login_as, people, make_person):
    refugee, best, good, mute = people
    second = make_person("refugee", full_name="Selam Tesfay", postcode="8200", languages={"ar": 3, "ti": 5},
                         interests=["hiking"])
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get("/matches/batch?municipality=751").get_data(as_text=True)
    assert "Amal Haddad" in page and "Selam Tesfay" in page
    assert "Total score" in page
    client.post("/matches/batch?municipality=751", data={"pairs": [f"{refugee.id}-{best.id}"]})
    matches = db.session.scalars(sa.select(Match)).all()
    assert [(m.refugee_id, m.volunteer_id) for m in matches] == [(refugee.id, best.id)]
    assert reload(second).status == "waiting"


def test_batch_with_nothing_ticked_proposes_nothing(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = client.post("/matches/batch?municipality=751", data={}, follow_redirects=True)
    assert "0 matches are proposed." in response.get_data(as_text=True)


def test_person_page_shows_match_history(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id})
    page = client.get(f"/people/{refugee.id}").get_data(as_text=True)
    assert "Best Friend" in page.split('id="matches"')[1]


def test_concurrent_proposals_cannot_overfill_a_volunteer(_app, app, people, make_person, make_user):
    """Two managers propose different refugees to a one-place volunteer at the same moment."""
    refugee, best, good, mute = people
    other = make_person("refugee", full_name="Second Refugee", postcode="8000", languages={"ar": 5})
    user_id = make_user(Role.MANAGER, ["Aarhus"]).id
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(refugee_id):
        with _app.app_context():
            from app.auth.models import User

            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                services.propose(refugee_id, best.id, user)
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # the loser: refused, or locked out by the database
                db.session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt, args=(rid,)) for rid in (refugee.id, other.id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    open_matches = db.session.scalar(sa.select(sa.func.count()).select_from(Match).where(Match.volunteer_id == best.id))
    assert open_matches == 1
    assert outcomes.count("ok") == 1
    if db.engine.dialect.name == "postgresql":
        assert "MatchError" in outcomes  # waited for the lock, then saw the place was taken


def test_statuses_that_come_from_matches_cannot_be_set_by_hand(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/people/{good.id}").get_data(as_text=True)
    status_form = page.split('name="status"')[1].split("</select>")[0]
    assert 'value="full"' not in status_form and 'value="matched"' not in status_form
    client.post(f"/people/{good.id}/status", data={"status": "full"})
    assert reload(good).status == "available"


def test_people_in_an_open_match_keep_their_status_until_it_ends(client, login_as, people):
    refugee, best, good, mute = people
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id})
    response = client.post(f"/people/{refugee.id}/status", data={"status": "waiting"}, follow_redirects=True)
    assert "End the match first" in response.get_data(as_text=True)
    assert reload(refugee).status == "matched"
    response = client.post(f"/people/{refugee.id}/archive", follow_redirects=True)
    assert "End the match first" in response.get_data(as_text=True)
    assert reload(refugee).archived_at is None
    # and so a second proposal is refused politely, not with a server error
    refused = client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": good.id})
    assert refused.status_code == 200 and "is not waiting for a friend" in refused.get_data(as_text=True)


def test_batch_cannot_propose_people_outside_the_managers_municipalities(client, login_as, people, make_person):
    refugee, best, good, mute = people
    elsewhere = make_person("volunteer", full_name="Copenhagen Volunteer", municipality_code=101, languages={"ar": 5})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = client.post("/matches/batch?municipality=751", data={"pairs": [f"{refugee.id}-{elsewhere.id}"]})
    assert response.status_code == 403
    assert db.session.scalars(sa.select(Match)).all() == []

"""The pure matching core: exclusion rules, score parts, ranking and batch assignment."""
import random
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment, linprog

from app.interests import interests
from app.matching import (
    PARTS,
    Candidate,
    Reason,
    Score,
    Weights,
    assign,
    assign_and_compare,
    assignment_total,
    exclusion_counts,
    greedy_assign,
    prepare,
    rank,
    score_pair,
)
from app.matching.assignment import _tie_break_bonus, allowed_pairs, score_matrix, waiting_days
from app.matching.candidate import SLOTS
from app.matching.columns import VolunteerColumns, columns_of
from app.matching.geo import locate, municipality_centroids
from app.matching.scoring import distance_km, location_points

THIS_YEAR = date.today().year
AARHUS, KOBENHAVN, FREDERIKSBERG = 751, 101, 147


def refugee(id="r", **fields):
    """Return a refugee in Aarhus C who speaks Arabic natively; ``fields`` override."""
    return Candidate(**({"id": id, "municipality": AARHUS, "postcode": "8000", "languages": {"ar": 5}} | fields))


def volunteer(id="v", **fields):
    """Return a volunteer in Aarhus C who speaks Danish natively and good Arabic; ``fields`` override."""
    return Candidate(
        **({"id": id, "municipality": AARHUS, "postcode": "8000", "languages": {"da": 5, "ar": 4}} | fields)
    )


def codes(score):
    return [reason.code for reason in score.reasons]


def reason(score, code):
    return next(r for r in score.reasons if r.code == code)


# Exclusion rules


def test_a_plain_pair_is_allowed():
    score = score_pair(refugee(), volunteer())
    assert not score.excluded
    assert score.total > 0


@pytest.mark.parametrize(
    ("refugee_fields", "volunteer_fields", "expected"),
    [
        ({}, {"languages": {"da": 5, "en": 5}}, Reason("no_shared_language", {})),
        ({"languages": {"ar": 5, "en": 1}}, {"languages": {"en": 5}}, Reason("language_too_basic", {"languages": ["en"]})),
        ({"languages": {"ar": 1}}, {"languages": {"ar": 5}}, Reason("language_too_basic", {"languages": ["ar"]})),
        ({"wants_gender": "female"}, {"gender": "male"}, Reason("gender_wish_not_met", {"side": "refugee"})),
        ({"wants_gender": "female"}, {"gender": None}, Reason("gender_wish_not_met", {"side": "refugee"})),
        ({"gender": "male"}, {"wants_gender": "female"}, Reason("gender_wish_not_met", {"side": "volunteer"})),
        ({}, {"wants_gender": "female"}, Reason("gender_wish_not_met", {"side": "volunteer"})),
        ({"household_children": 2}, {}, Reason("needs_child_certificate", {})),
        ({}, {"capacity": 0}, Reason("no_capacity", {})),
        ({}, {"municipality": KOBENHAVN, "postcode": "2100"}, Reason("different_municipality", {})),
        ({}, {"postcode": "8200", "max_distance_km": 2}, Reason("too_far", {"km": 6.5, "max_km": 2})),
    ],
)
def test_each_rule_excludes_the_pair_with_its_reason(refugee_fields, volunteer_fields, expected):
    score = score_pair(refugee(**refugee_fields), volunteer(**volunteer_fields))
    assert score.excluded
    assert score.total == 0
    assert score.reasons == [expected]


@pytest.mark.parametrize(
    ("refugee_fields", "volunteer_fields"),
    [
        ({"wants_gender": "female"}, {"gender": "female"}),
        ({"gender": "other"}, {"wants_gender": "other"}),
        ({"household_children": 1}, {"has_child_certificate": True}),
        ({"languages": {"ar": 5, "en": 2}}, {"languages": {"en": 2}}),
    ],
)
def test_a_met_rule_does_not_exclude(refugee_fields, volunteer_fields):
    assert not score_pair(refugee(**refugee_fields), volunteer(**volunteer_fields)).excluded


def test_declined_pairs_are_excluded_only_for_that_refugee():
    declined = {("r", "v")}
    assert score_pair(refugee(), volunteer(), exclude=declined).reasons == [Reason("declined_before", {})]
    assert not score_pair(refugee(id="other"), volunteer(), exclude=declined).excluded


def test_every_broken_rule_is_reported():
    score = score_pair(refugee(household_children=1, wants_gender="male"), volunteer(gender="female", capacity=0))
    assert codes(score) == ["gender_wish_not_met", "needs_child_certificate", "no_capacity"]


def test_another_municipality_is_allowed_within_the_volunteers_max_distance():
    far_refugee = refugee(municipality=KOBENHAVN, postcode="2100")
    aarhus_volunteer = volunteer(max_distance_km=10)
    too_far = score_pair(far_refugee, aarhus_volunteer)
    assert too_far.excluded and codes(too_far) == ["too_far"]
    assert 150 < reason(too_far, "too_far").params["km"] < 170
    assert not score_pair(far_refugee, volunteer(max_distance_km=200)).excluded


# Parts


def test_shared_arabic_native_and_good_gives_the_good_level():
    score = score_pair(refugee(languages={"ar": 5}), volunteer(languages={"da": 5, "ar": 4}))
    assert score.parts["language"] == 80
    assert reason(score, "shared_language").params == {"language": "ar", "refugee_level": 5, "volunteer_level": 4}


@pytest.mark.parametrize(("level", "points"), [(2, 40), (3, 60), (4, 80), (5, 100)])
def test_language_points_grow_with_the_lower_level(level, points):
    assert score_pair(refugee(languages={"ar": 5}), volunteer(languages={"ar": level})).parts["language"] == points


def test_the_best_shared_language_counts():
    score = score_pair(refugee(languages={"en": 3, "ar": 5}), volunteer(languages={"en": 5, "ar": 4}))
    assert reason(score, "shared_language").params["language"] == "ar"
    assert score.parts["language"] == 80


def test_danish_practice_bonus_needs_a_fluent_danish_volunteer():
    learner = refugee(languages={"ar": 5, "da": 1}, interests=["danish_practice"])
    assert learner.wants_danish_practice
    fluent = score_pair(learner, volunteer(languages={"da": 5, "ar": 3}))
    assert fluent.parts["language"] == 60 + 20
    assert reason(fluent, "danish_practice").params == {"volunteer_level": 5}
    halting = score_pair(learner, volunteer(languages={"da": 3, "ar": 3}))
    assert halting.parts["language"] == 60
    assert "danish_practice" not in codes(halting)


def test_danish_practice_bonus_is_capped_at_100():
    learner = refugee(wants_danish_practice=True)
    assert score_pair(learner, volunteer(languages={"da": 5, "ar": 5})).parts["language"] == 100


def test_free_text_interests_in_danish_and_arabic_meet_as_football():
    score = score_pair(refugee(interests=["كرة القدم"]), volunteer(interests=["fodbold", "strikning"]))
    assert reason(score, "shared_interests").params == {"count": 1, "interests": ["football"]}
    assert score.parts["interests"] == 100  # all of the refugee's one interest


@pytest.mark.parametrize(
    ("refugee_interests", "points"),
    [
        (["football", "cooking", "cycling", "chess"], 100),
        (["football", "cooking", "chess", "knitting"], pytest.approx(200 / 3)),
        (["football", "chess", "knitting"], pytest.approx(100 / 3)),
        (["chess", "knitting"], 0),
    ],
)
def test_three_shared_interests_give_full_points(refugee_interests, points):
    helper = volunteer(interests=["football", "cooking", "cycling", "hiking", "reading"])
    assert score_pair(refugee(interests=refugee_interests), helper).parts["interests"] == points


def test_no_shared_interests_is_explained():
    score = score_pair(refugee(interests=["chess"]), volunteer(interests=[]))
    assert score.parts["interests"] == 0
    assert "no_shared_interests" in codes(score)


def test_aarhus_c_to_aarhus_n_is_a_few_km_within_the_municipality():
    km = distance_km(refugee(postcode="8000"), volunteer(postcode="8200"))
    assert 4 < km < 8
    score = score_pair(refugee(postcode="8000"), volunteer(postcode="8200"))
    assert not score.excluded
    assert reason(score, "distance").params == {"km": round(km, 1)}
    assert score.parts["location"] == pytest.approx(location_points(km))
    assert 30 < score.parts["location"] < 60


def test_location_points_decay_with_distance():
    assert location_points(0) == 100
    assert location_points(5) == pytest.approx(50)
    assert location_points(100) < 0.01


def test_unknown_postcode_falls_back_to_the_municipality_centroid():
    centroid = municipality_centroids()[AARHUS]
    assert locate(AARHUS, "0000") == centroid
    assert refugee(postcode="0000").location == refugee(postcode=None).location == centroid
    assert refugee(postcode="8200").location != centroid


def test_postcode_ranges_are_located():
    assert locate(KOBENHAVN, "1200") == locate(KOBENHAVN, "1000") == (55.6830, 12.5940)


def test_unknown_municipality_is_refused():
    with pytest.raises(ValueError, match="municipality"):
        refugee(municipality=999)


def test_shared_availability_counts_against_the_shorter_list():
    score = score_pair(
        refugee(availability={"weekend"}),
        volunteer(availability={"weekend", "weekday_evening"}),
    )
    assert score.parts["availability"] == 100
    assert reason(score, "shared_availability").params == {"slots": ["weekend"]}
    two_slots = volunteer(availability={"weekend", "weekday_evening"})
    half = score_pair(refugee(availability={"weekend", "weekday_day"}), two_slots)
    assert half.parts["availability"] == 50
    none = score_pair(refugee(availability={"weekday_day"}), volunteer(availability={"weekend"}))
    assert none.parts["availability"] == 0 and "no_shared_availability" in codes(none)


def test_family_to_family():
    family = score_pair(refugee(family=True), volunteer(family=True))
    assert family.parts["preferences"] == 100 and "family_to_family" in codes(family)
    single = score_pair(refugee(family=True), volunteer(family=False))
    assert single.parts["preferences"] == 0 and "family_wish_not_met" in codes(single)


def test_age_ranges_are_checked_both_ways():
    forty = THIS_YEAR - 40
    young = refugee(age_min=30, age_max=50, birth_year=THIS_YEAR - 25)
    within = score_pair(young, volunteer(birth_year=forty, age_max=30))
    assert within.parts["preferences"] == 100
    assert [r.params["side"] for r in within.reasons if r.code == "age_in_range"] == ["refugee", "volunteer"]
    outside = score_pair(refugee(age_max=30, birth_year=THIS_YEAR - 35), volunteer(birth_year=forty, age_max=30))
    assert outside.parts["preferences"] == 0
    assert reason(outside, "age_outside_range").params == {"side": "refugee", "age": 40, "age_min": None, "age_max": 30}
    unknown = score_pair(refugee(age_min=30), volunteer(birth_year=None))
    assert unknown.parts["preferences"] == 50 and "age_unknown" in codes(unknown)


def test_no_wishes_leave_the_preferences_part_full():
    score = score_pair(refugee(), volunteer(family=True, birth_year=1970))
    assert score.parts["preferences"] == 100
    assert "no_preferences" in codes(score)


def test_total_is_the_weighted_average_of_the_parts():
    score = score_pair(refugee(interests=["chess"], availability={"weekend"}), volunteer(postcode="8200"))
    weights = Weights()
    expected = sum(getattr(weights, name) * points for name, points in score.parts.items()) / sum(
        getattr(weights, name) for name in score.parts
    )
    assert score.total == pytest.approx(expected)
    assert Weights().language == max(vars(Weights()).values())


def test_weights_can_be_passed_in():
    pair = (refugee(interests=["chess"]), volunteer(postcode="8200"))
    language_only = score_pair(*pair, Weights(language=1, interests=0, location=0, availability=0, preferences=0))
    assert language_only.total == pytest.approx(language_only.parts["language"]) == 80
    location_only = score_pair(*pair, Weights(language=0, interests=0, location=2, availability=0, preferences=0))
    assert location_only.total == pytest.approx(location_only.parts["location"])


@pytest.mark.parametrize("weights", [{"language": -1}, dict.fromkeys(PARTS, 0)])
def test_weights_must_be_non_negative_and_not_all_zero(weights):
    with pytest.raises(ValueError):
        Weights(**weights)


def test_candidates_are_normalised_and_read_only():
    person = refugee(languages={"AR": 5}, interests=["football", "fodbold", "no such thing"], availability=["weekend"])
    assert dict(person.languages) == {"ar": 5}
    assert person.interests == ("football",)
    assert person.availability == frozenset({"weekend"})
    with pytest.raises(TypeError):
        person.languages["da"] = 3
    with pytest.raises(ValueError):
        refugee(languages={"ar": 6})
    with pytest.raises(ValueError):
        refugee(availability={"weekday_night"})


# Ranking


def test_rank_orders_best_first_limits_and_excludes():
    refugee_ = refugee(interests=["football", "cooking", "cycling"], availability={"weekend"})
    volunteers = [
        volunteer("far", postcode="8200", languages={"ar": 2}),
        volunteer("best", interests=["football", "cooking", "cycling"], availability={"weekend"}, languages={"ar": 5}),
        volunteer("no-language", languages={"da": 5}),
        volunteer("good", interests=["football"], availability={"weekend"}),
        volunteer("middle", postcode="8200", interests=["cooking"]),
    ]
    ranked = rank(refugee_, volunteers)
    assert [volunteer_id for volunteer_id, _ in ranked] == ["best", "good", "middle", "far"]
    totals = [score.total for _, score in ranked]
    assert totals == sorted(totals, reverse=True)
    assert all(isinstance(score, Score) and not score.excluded and score.reasons for _, score in ranked)
    assert [v for v, _ in rank(refugee_, volunteers, limit=2)] == ["best", "good"]
    declined = {("r", "best"), ("other", "good")}
    assert [v for v, _ in rank(refugee_, volunteers, exclude=declined)] == ["good", "middle", "far"]


def test_rank_reuses_prepared_volunteers():
    volunteers = [volunteer(f"v{i}", postcode=postcode) for i, postcode in enumerate(("8000", "8200", "8210"))]
    prepared = prepare(volunteers)
    assert prepare(volunteers) is prepared
    assert prepare(list(volunteers)) is prepared  # same candidates in a new list
    assert prepare([volunteer(f"v{i}") for i in range(3)]) is not prepared
    nearest_first = ["v0", "v2", "v1"]
    assert [v for v, _ in rank(refugee(), prepared)] == [v for v, _ in rank(refugee(), volunteers)] == nearest_first


def test_prepare_refuses_duplicate_ids():
    with pytest.raises(ValueError, match="unique"):
        prepare([volunteer("same"), volunteer("same")])


POSTCODES = {
    AARHUS: ("8000", "8200", "8210", "8260", "0000", None),
    KOBENHAVN: ("2100", "1200", "2300"),
    FREDERIKSBERG: ("2000", "1850"),
}
LANGUAGES = ("da", "en", "ar", "ti", "fa")
INTEREST_TEXTS = (*list(interests())[:12], "fodbold", "madlavning", "كرة القدم", "strikning")


def random_candidate(rnd, id, *, municipalities=(AARHUS, KOBENHAVN, FREDERIKSBERG), capacities=(0, 1, 2)):
    """Return a candidate with every field drawn at random, so rules and parts interact."""
    municipality = rnd.choice(municipalities)
    age_min = rnd.choice((None, None, 20, 30, 40))
    return Candidate(
        id=id,
        municipality=municipality,
        postcode=rnd.choice(POSTCODES[municipality]),
        languages={code: rnd.randint(1, 5) for code in rnd.sample(LANGUAGES, rnd.randint(1, 3))},
        interests=rnd.sample(INTEREST_TEXTS, rnd.randint(0, 5)),
        availability={slot for slot in ("weekday_day", "weekday_evening", "weekend") if rnd.random() < 0.5},
        gender=rnd.choice(("female", "male", "other", None)),
        wants_gender=rnd.choice((None,) * 6 + ("female", "male")),
        birth_year=rnd.choice((None, *range(THIS_YEAR - 70, THIS_YEAR - 18))),
        household_children=rnd.choice((0, 0, 0, 1, 3)),
        family=rnd.random() < 0.3,
        max_distance_km=rnd.choice((None, None, 3, 8, 20, 400)),
        capacity=rnd.choice(capacities),
        has_child_certificate=rnd.random() < 0.5,
        waiting_since=date(2024, 1, 1) + timedelta(days=rnd.randint(0, 500)),
        wants_danish_practice=rnd.random() < 0.3,
        age_min=age_min,
        age_max=rnd.choice((None, 50, 65)) if age_min is None or age_min < 50 else None,
    )


@pytest.mark.parametrize("seed", range(8))
def test_vectorised_rank_equals_score_pair(seed):
    rnd = random.Random(seed)
    volunteers = [random_candidate(rnd, f"v{i}") for i in range(150)]
    declined = {(f"r{rnd.randrange(10)}", f"v{rnd.randrange(150)}") for _ in range(30)}
    for r in range(10):
        refugee_ = random_candidate(rnd, f"r{r}")
        ranked = dict(rank(refugee_, volunteers, limit=None, exclude=declined))
        expected = {v.id: score_pair(refugee_, v, exclude=declined) for v in volunteers}
        assert set(ranked) == {v for v, score in expected.items() if not score.excluded}
        for volunteer_id, score in ranked.items():
            assert score.total == pytest.approx(expected[volunteer_id].total, abs=1e-9, rel=0)
            assert score.parts == pytest.approx(expected[volunteer_id].parts, abs=1e-9, rel=0)
            assert score.reasons == expected[volunteer_id].reasons


@pytest.mark.parametrize("seed", range(8))
def test_exclusion_counts_from_masks_equal_each_pairs_reasons(seed):
    rnd = random.Random(50 + seed)
    volunteers = [random_candidate(rnd, f"v{i}") for i in range(150)]
    declined = {(f"r{rnd.randrange(10)}", f"v{rnd.randrange(150)}") for _ in range(30)}
    for r in range(10):
        refugee_ = random_candidate(rnd, f"r{r}")
        scores = [score_pair(refugee_, v, exclude=declined) for v in volunteers]
        expected = Counter(reason.code for score in scores if score.excluded for reason in score.reasons)
        excluded, counts = exclusion_counts(refugee_, volunteers, exclude=declined)
        assert excluded == sum(score.excluded for score in scores)
        assert counts == expected and all(counts.values())


def assert_same_arrays(prepared, expected):
    """Every array and column map of two preparations is equal."""
    assert prepared.ids == expected.ids
    assert prepared.language_column == expected.language_column
    arrays = {name for name, value in vars(expected).items() if isinstance(value, np.ndarray)}
    assert arrays >= {"levels", "interests", "slots", "lat", "capacity", "certificate", "age_min"}
    for name in arrays:
        np.testing.assert_array_equal(getattr(prepared, name), getattr(expected, name), err_msg=name)


@pytest.mark.parametrize("seed", range(4))
def test_volunteers_prepared_from_columns_rank_and_exclude_as_candidates_do(seed):
    rnd = random.Random(90 + seed)
    volunteers = [random_candidate(rnd, f"v{i}") for i in range(150)]
    declined = {(f"r{rnd.randrange(10)}", f"v{rnd.randrange(150)}") for _ in range(30)}
    from_columns = prepare(columns_of(volunteers))  # keeps no candidate: those ranked are made from the columns
    assert_same_arrays(from_columns, prepare(volunteers))
    assert [v.id for v in from_columns.candidates] == [v.id for v in volunteers]
    volunteer_fields = {"household_children": 0, "waiting_since": None, "wants_danish_practice": False}
    assert from_columns.candidates == tuple(
        replace(v, interests=sorted(v.interests), **volunteer_fields) for v in volunteers)
    for r in range(10):
        refugee_ = random_candidate(rnd, f"r{r}")
        assert rank(refugee_, from_columns, limit=None, exclude=declined) == rank(
            refugee_, volunteers, limit=None, exclude=declined)
        assert exclusion_counts(refugee_, from_columns, exclude=declined) == exclusion_counts(
            refugee_, volunteers, exclude=declined)


def one_volunteer_columns(languages, interests, **fields):
    """VolunteerColumns of one volunteer in Aarhus C, its languages and interests as a database gives them."""
    defaults = {"id": ["v"], "municipality": [AARHUS], "postcode": ["8000"], "gender": [None],
                "wants_gender": [None], "birth_year": [None], "family": [False], "age_min": [None],
                "age_max": [None], "max_distance_km": [None], "capacity": [1], "has_child_certificate": [False],
                "availability": {slot: [slot == "weekend"] for slot in SLOTS}}
    return VolunteerColumns(
        **(defaults | fields),
        languages=([0] * len(languages), list(languages), list(languages.values())),
        interests=([0] * len(interests), list(interests)),
    )


def test_columns_are_normalised_and_checked_as_candidates_are():
    languages, texts = {" AR": 4, "Da": 5}, ["fodbold", "no such thing", "cooking"]
    candidate = volunteer("v", languages=languages, interests=texts, availability={"weekend"})
    prepared = prepare(one_volunteer_columns(languages, texts))
    assert_same_arrays(prepared, prepare([candidate]))
    assert prepared.candidate(0) == replace(candidate, interests=["cooking", "football"])
    refugee_ = refugee(languages={"ar": 5, "da": 2}, interests=["football", "cooking"], wants_danish_practice=True)
    assert rank(refugee_, prepared) == rank(refugee_, [candidate])
    with pytest.raises(ValueError, match="levels"):
        prepare(one_volunteer_columns({"ar": 6}, []))
    with pytest.raises(ValueError, match="gender"):
        prepare(one_volunteer_columns({"ar": 5}, [], gender=["robot"]))
    with pytest.raises(ValueError, match="municipality"):
        prepare(one_volunteer_columns({"ar": 5}, [], municipality=[999]))


@pytest.mark.parametrize("seed", range(4))
def test_one_scoring_pass_gives_what_assign_and_greedy_assign_give(seed):
    rnd = random.Random(70 + seed)
    volunteers = [random_candidate(rnd, f"v{i}", capacities=(0, 1, 2, 3)) for i in range(60)]
    refugees = [random_candidate(rnd, f"r{i}") for i in range(80)]
    declined = {(f"r{rnd.randrange(80)}", f"v{rnd.randrange(60)}") for _ in range(40)}
    optimal, greedy, totals = assign_and_compare(refugees, volunteers, exclude=declined)
    assert optimal == assign(refugees, volunteers, exclude=declined)
    assert greedy == greedy_assign(refugees, volunteers, exclude=declined)
    for pairs in (optimal, greedy):
        assert sum(totals[pair] for pair in pairs) == pytest.approx(
            assignment_total(pairs, refugees, volunteers), abs=1e-6)


def test_random_instances_exercise_both_outcomes():
    rnd = random.Random(0)
    volunteers = [random_candidate(rnd, f"v{i}") for i in range(150)]
    outcomes = {score_pair(random_candidate(rnd, "r"), v).excluded for v in volunteers}
    assert outcomes == {True, False}


# Batch assignment


def brute_force_best_total(refugees, volunteers, exclude=()):
    """Return the best total over every assignment that honours rules and capacities."""
    scores = [[score_pair(r, v, exclude=exclude) for v in volunteers] for r in refugees]
    left = [v.capacity for v in volunteers]
    best = 0.0

    def extend(row, total):
        nonlocal best
        if row == len(refugees):
            best = max(best, total)
            return
        extend(row + 1, total)  # this refugee stays unassigned
        for column, score in enumerate(scores[row]):
            if not score.excluded and left[column] > 0:
                left[column] -= 1
                extend(row + 1, total + score.total)
                left[column] += 1

    extend(0, 0.0)
    return best


def small_instance(seed):
    rnd = random.Random(seed)
    refugees = [random_candidate(rnd, f"r{i}", municipalities=(AARHUS,)) for i in range(rnd.randint(2, 5))]
    volunteers = [
        random_candidate(rnd, f"v{i}", municipalities=(AARHUS,), capacities=(1, 2)) for i in range(rnd.randint(2, 4))
    ]
    exclude = {(rnd.choice(refugees).id, rnd.choice(volunteers).id)}
    return refugees, volunteers, exclude


def assert_valid(pairs, refugees, volunteers, exclude):
    """Check each refugee at most once, capacities and every hard rule."""
    by_id = {v.id: v for v in volunteers}
    assigned = [r for r, _ in pairs]
    assert len(assigned) == len(set(assigned))
    for v in volunteers:
        assert sum(1 for _, volunteer_id in pairs if volunteer_id == v.id) <= v.capacity
    refugees_by_id = {r.id: r for r in refugees}
    assert not any(score_pair(refugees_by_id[r], by_id[v], exclude=exclude).excluded for r, v in pairs)


@pytest.mark.parametrize("seed", range(30))
def test_assign_finds_the_brute_force_optimum(seed):
    refugees, volunteers, exclude = small_instance(seed)
    pairs = assign(refugees, volunteers, exclude=exclude)
    assert_valid(pairs, refugees, volunteers, exclude)
    assert assignment_total(pairs, refugees, volunteers) == pytest.approx(
        brute_force_best_total(refugees, volunteers, exclude), abs=1e-6
    )


def test_small_instances_are_not_trivial():
    instances = [small_instance(seed) for seed in range(30)]
    assigned = [len(assign(refugees, volunteers, exclude)) for refugees, volunteers, exclude in instances]
    assert max(assigned) >= 3
    assert sum(1 for count in assigned if count == 0) < 10


@pytest.mark.parametrize("seed", range(5))
def test_assign_honours_capacities_and_exclusions_and_beats_greedy(seed):
    rnd = random.Random(100 + seed)
    refugees = [random_candidate(rnd, f"r{i}", municipalities=(AARHUS,)) for i in range(60)]
    volunteers = [random_candidate(rnd, f"v{i}", municipalities=(AARHUS,), capacities=(0, 1, 2, 3)) for i in range(40)]
    exclude = {(rnd.choice(refugees).id, rnd.choice(volunteers).id) for _ in range(40)}
    optimal = assign(refugees, volunteers, exclude=exclude)
    greedy = greedy_assign(refugees, volunteers, exclude=exclude)
    assert_valid(optimal, refugees, volunteers, exclude)
    assert_valid(greedy, refugees, volunteers, exclude)
    assert optimal and greedy
    assert assignment_total(optimal, refugees, volunteers) >= assignment_total(greedy, refugees, volunteers) - 1e-9


def medium_instance(seed, refugees=300, volunteers=400):
    """Return refugees, volunteers with capacities 0..3 and declined pairs, in two neighbouring municipalities."""
    rnd = random.Random(1000 + seed)
    places = (KOBENHAVN, FREDERIKSBERG)
    refugees_ = [random_candidate(rnd, f"r{i}", municipalities=places) for i in range(refugees)]
    volunteers_ = [
        random_candidate(rnd, f"v{i}", municipalities=places, capacities=(0, 1, 2, 3)) for i in range(volunteers)
    ]
    exclude = {(rnd.choice(refugees_).id, rnd.choice(volunteers_).id) for _ in range(refugees)}
    return refugees_, volunteers_, exclude


def dense_assign(refugees, volunteers, exclude=()):
    """Assign the way ``assign`` did before it went sparse: Hungarian method on a dense, slot-repeated matrix."""
    totals, allowed = score_matrix(refugees, volunteers, exclude)
    profit = np.where(allowed, totals + _tie_break_bonus(refugees)[:, None], 0.0)
    slots = np.minimum([max(v.capacity, 0) for v in volunteers], allowed.sum(axis=0))
    column_of_slot = np.repeat(np.arange(len(volunteers)), slots)
    rows, slot_columns = linear_sum_assignment(profit[:, column_of_slot], maximize=True)
    columns = column_of_slot[slot_columns]
    keep = allowed[rows, columns]
    return sorted((refugees[r].id, volunteers[v].id) for r, v in zip(rows[keep], columns[keep], strict=True))


def flow_best_total(refugees, volunteers, exclude=()):
    """Return the best total as a linear program: the b-matching polytope is integral, so the LP optimum is exact."""
    rows, columns, totals = allowed_pairs(refugees, volunteers, exclude)
    pairs = len(totals)
    each_refugee = np.zeros((len(refugees), pairs))
    each_refugee[rows, np.arange(pairs)] = 1
    each_volunteer = np.zeros((len(volunteers), pairs))
    each_volunteer[columns, np.arange(pairs)] = 1
    result = linprog(
        -totals,
        A_ub=np.vstack([each_refugee, each_volunteer]),
        b_ub=np.concatenate([np.ones(len(refugees)), [max(v.capacity, 0) for v in volunteers]]),
        bounds=(0, 1),
        method="highs",
    )
    assert result.status == 0
    return -result.fun


def test_allowed_pairs_are_the_allowed_entries_of_the_dense_matrix():
    refugees, volunteers, exclude = medium_instance(0, refugees=80, volunteers=120)
    totals, allowed = score_matrix(refugees, volunteers, exclude)
    rows, columns, sparse_totals = allowed_pairs(refugees, volunteers, exclude)
    expected_rows, expected_columns = np.nonzero(allowed)
    assert rows.tolist() == expected_rows.tolist()
    assert columns.tolist() == expected_columns.tolist()
    assert sparse_totals.tolist() == totals[allowed].tolist()
    assert 0 < len(rows) < allowed.size


@pytest.mark.parametrize("seed", range(3))
def test_sparse_assign_reaches_the_dense_total_on_a_larger_instance(seed):
    refugees, volunteers, exclude = medium_instance(seed)
    sparse = assign(refugees, volunteers, exclude=exclude)
    dense = dense_assign(refugees, volunteers, exclude)
    assert_valid(sparse, refugees, volunteers, exclude)
    assert len(sparse) > 100
    assert assignment_total(sparse, refugees, volunteers) == pytest.approx(
        assignment_total(dense, refugees, volunteers), abs=1e-6
    )
    assert len(sparse) == len(dense)


@pytest.mark.parametrize("seed", range(3))
def test_assign_reaches_the_linear_programming_optimum(seed):
    refugees, volunteers, exclude = medium_instance(seed, refugees=60, volunteers=50)
    pairs = assign(refugees, volunteers, exclude=exclude)
    assert pairs
    assert assignment_total(pairs, refugees, volunteers) == pytest.approx(
        flow_best_total(refugees, volunteers, exclude), abs=1e-6
    )


def greedy_by_definition(refugees, volunteers, exclude=()):
    """Greedy as it is defined: sort every allowed pair (highest total, then longest waiting, then list order), take each whose two sides are free."""
    rows, columns, totals = allowed_pairs(refugees, volunteers, exclude)
    order = np.lexsort((-waiting_days(refugees)[rows], -totals))
    left = [max(v.capacity, 0) for v in volunteers]
    taken, pairs = set(), []
    for r, v in zip(rows[order].tolist(), columns[order].tolist(), strict=True):
        if r not in taken and left[v] > 0:
            taken.add(r)
            left[v] -= 1
            pairs.append((r, v))
    return [(refugees[r].id, volunteers[v].id) for r, v in sorted(pairs)]


@pytest.mark.parametrize("seed", range(3))
def test_greedy_takes_the_pairs_sorting_every_allowed_pair_would(seed):
    refugees, volunteers, exclude = medium_instance(seed, refugees=300, volunteers=120)
    # Many equal totals and equal waits, so the tie-breaks are exercised too.
    refugees += [refugee(f"twin{i}", waiting_since=date(2025, 1, 1)) for i in range(40)]
    volunteers += [volunteer(f"same{i}", capacity=1 + i % 2) for i in range(10)]
    greedy = greedy_assign(refugees, volunteers, exclude=exclude)
    assert_valid(greedy, refugees, volunteers, exclude)
    assert len(greedy) > 100
    assert greedy == greedy_by_definition(refugees, volunteers, exclude)


def test_assign_with_nobody_to_assign():
    assert assign([], [volunteer()]) == []
    assert assign([refugee()], []) == []
    assert assign([refugee()], [volunteer(languages={"da": 5})]) == []
    assert greedy_assign([], []) == []


def test_assign_gives_up_the_best_pair_when_that_serves_more_refugees_better():
    picky = refugee("picky", languages={"ar": 5})  # only the Arabic speaker suits this refugee
    flexible = refugee("flexible", languages={"ar": 5, "en": 5})
    arabic = volunteer("arabic", languages={"ar": 5})
    english = volunteer("english", languages={"en": 4})
    assert score_pair(flexible, arabic).total > score_pair(flexible, english).total
    greedy = greedy_assign([flexible, picky], [arabic, english])
    assert greedy == [("flexible", "arabic")]
    optimal = assign([flexible, picky], [arabic, english])
    assert sorted(optimal) == [("flexible", "english"), ("picky", "arabic")]
    assert assignment_total(optimal, [flexible, picky], [arabic, english]) > assignment_total(
        greedy, [flexible, picky], [arabic, english]
    )


def test_assign_maximises_the_total_even_when_fewer_refugees_are_matched():
    # "a" and "v1" suit each other perfectly; the alternative pairing is poor on both sides.
    shared = {"interests": ["football", "cooking", "cycling"], "availability": {"weekend"}, "family": True}
    a = refugee("a", **shared)
    b = refugee("b", postcode="8340", languages={"en": 2}, age_max=20)
    v1 = volunteer("v1", languages={"ar": 5, "en": 2}, max_distance_km=20, birth_year=THIS_YEAR - 50, **shared)
    v2 = volunteer("v2", postcode="8340", languages={"ar": 2}, max_distance_km=20)
    assert score_pair(b, v2).excluded
    assert score_pair(a, v1).total > score_pair(a, v2).total + score_pair(b, v1).total
    assert assign([a, b], [v1, v2]) == [("a", "v1")]
    assert assignment_total([("a", "v1")], [a, b], [v1, v2]) == pytest.approx(brute_force_best_total([a, b], [v1, v2]))


def test_a_volunteer_with_capacity_two_takes_two_refugees():
    refugees = [refugee(f"r{i}") for i in range(3)]
    pairs = assign(refugees, [volunteer(capacity=2)])
    assert len(pairs) == 2
    assert {v for _, v in pairs} == {"v"}


def test_equal_totals_favour_the_refugee_waiting_longest():
    newer = refugee("newer", waiting_since=date(2025, 3, 1))
    older = refugee("older", waiting_since=date(2024, 6, 1))
    assert score_pair(newer, volunteer()).total == score_pair(older, volunteer()).total
    assert assign([newer, older], [volunteer()]) == [("older", "v")]
    assert assign([older, newer], [volunteer()]) == [("older", "v")]
    assert greedy_assign([newer, older], [volunteer()]) == [("older", "v")]


def test_waiting_never_outweighs_a_score_better_by_a_hundredth():
    newer = refugee("newer", waiting_since=date(2025, 3, 1), availability={"weekend"})
    older = refugee("older", waiting_since=date(2015, 6, 1), availability={"weekend", "weekday_day"})
    helper = volunteer(availability={"weekend", "weekday_evening"})
    # Availability differs by 50 points; this weight turns that into just over 0.01.
    weights = Weights(language=1, interests=0, location=0, availability=0.00021, preferences=0)
    difference = score_pair(newer, helper, weights).total - score_pair(older, helper, weights).total
    assert 0.01 <= difference < 0.011
    assert assign([newer, older], [helper], weights=weights) == [("newer", "v")]
    assert assign([newer, older], [helper]) == [("newer", "v")]


def test_exclusion_counts_tell_whom_to_recruit():
    from app.matching import exclusion_counts

    refugee = Candidate(id="r", municipality=751, languages={"ti": 5}, household_children=1)
    volunteers = [
        Candidate(id="a", municipality=751, languages={"da": 5, "en": 4}, has_child_certificate=True),
        Candidate(id="b", municipality=751, languages={"da": 5}),
        Candidate(id="c", municipality=101, languages={"ti": 5}, has_child_certificate=True),
        Candidate(id="d", municipality=751, languages={"ti": 4}, has_child_certificate=True),
    ]
    excluded, counts = exclusion_counts(refugee, volunteers, exclude={("r", "d")})
    assert excluded == 4
    assert counts == {"no_shared_language": 2, "needs_child_certificate": 1,
                      "different_municipality": 1, "declined_before": 1}

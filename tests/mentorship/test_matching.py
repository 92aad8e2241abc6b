"""The matching engine (mentorship/matching), as organizers' stories and as properties.

Stability is checked by brute force (every allowed pair inspected in plain Python),
optimality against an exhaustive search on tiny instances, against a linear
program (bipartite b-matching is totally unimodular, so the LP optimum is the
integer optimum) and against scipy's assignment on an expanded matrix built here.
"""

import itertools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment, linprog

from mentorship.matching import (
    CRITERIA,
    EITHER,
    IN_PERSON,
    MEETING_MODES,
    MUST_HAVE_CRITERIA,
    VIRTUAL,
    Mentee,
    Mentor,
    Program,
    Weights,
    blocking_pairs,
    explain,
    optimal,
    score,
    stable,
    unmatched_reasons,
)

# ----------------------------------------------------------------- explanations

EXPLANATIONS = [
    # story, mentor fields, mentee fields, expected parts, expected blocks
    (
        "shared trauma specialty, both virtual, regions three hours apart",
        {"specialties": {"Trauma and PTSD", "EMDR"}, "meeting": VIRTUAL,
         "region": "West", "utc_offset": -480},
        {"specialties": {"Trauma and PTSD"}, "meeting": VIRTUAL,
         "region": "Northeast", "utc_offset": -300},
        ["same specialty or modality: Trauma and PTSD +30",
         "mentor's region differs (West), 3 hours apart -5", "both prefer virtual +10"],
        [],
    ),
    (
        "one of two specialties shared gets half the weight",
        {"specialties": {"CBT"}}, {"specialties": {"CBT", "DBT"}},
        ["same specialty or modality: CBT (1 of 2) +15"], [],
    ),
    (
        "two shared specialties",
        {"specialties": {"CBT", "DBT", "ACT"}}, {"specialties": {"CBT", "DBT"}},
        ["shared specialties or modalities: CBT, DBT +30"], [],
    ),
    (
        "nothing in common adds nothing but says so",
        {"specialties": {"CBT"}}, {"specialties": {"Couples"}},
        ["no specialty or modality in common +0"], [],
    ),
    (
        "help with one of two goals, rounded down",
        {"help_with": {"Licensure exam"}}, {"goals": {"Licensure exam", "Research"}},
        ["can help with Licensure exam +12"], [],
    ),
    (
        "speaks Spanish",
        {"languages": {"English", "Spanish"}}, {"languages": {"Spanish"}},
        ["speaks Spanish +20"], [],
    ),
    (
        "must-have language not met",
        {"languages": {"English"}}, {"languages": {"Spanish"}, "must_haves": {"language"}},
        ["does not speak Spanish +0"], ["must-have not met: Spanish"],
    ),
    (
        "same region",
        {"region": "Midwest", "utc_offset": -360}, {"region": "midwest ", "utc_offset": -360},
        ["same region: midwest +10"], [],
    ),
    (
        "different region, same time zone",
        {"region": "Southeast", "utc_offset": -300}, {"region": "Northeast", "utc_offset": -300},
        ["different region, time zones within an hour +0"], [],
    ),
    (
        "in person against virtual only",
        {"meeting": VIRTUAL}, {"meeting": IN_PERSON},
        ["mentee wants in person, mentor only virtual -10"], [],
    ),
    (
        "a mentor open to either way",
        {"meeting": EITHER}, {"meeting": IN_PERSON},
        ["mentor is open to in person +5"], [],
    ),
    (
        "a much more experienced mentor",
        {"years_in_practice": 15}, {"years_in_practice": 3, "meeting": VIRTUAL},
        ["mentor is open to virtual +5", "mentor has 12 more years in practice +15"], [],
    ),
    (
        "a mentor with less experience than the mentee",
        {"years_in_practice": 2}, {"years_in_practice": 4, "must_haves": {"experience"}},
        ["mentor has no more years in practice than the mentee -15"],
        ["must-have not met: at least 5 more years in practice"],
    ),
    (
        "same license type",
        {"profession": "social worker", "license_type": "LCSW"},
        {"profession": "social worker", "license_type": "lcsw"},
        ["same license type: lcsw +15"], [],
    ),
    (
        "same profession, different license",
        {"profession": "counselor", "license_type": "LPC"},
        {"profession": "counselor", "license_type": "LMHC"},
        ["same profession: counselor +10"], [],
    ),
    (
        "criteria the mentee set aside count nothing",
        {"specialties": {"CBT"}, "languages": {"Spanish"}},
        {"specialties": {"CBT"}, "languages": {"Spanish"}, "nice_to_haves": {"language"}},
        ["speaks Spanish +20"], [],
    ),
    (
        "the mentee's clinical supervisor is never their mentor",
        {"email": "Sup@Clinic.org"}, {"supervisor_email": "sup@clinic.org"},
        [], ["is the mentee's clinical supervisor"],
    ),
    (
        "someone on the avoid list",
        {"email": "ex@clinic.org"}, {"avoid_emails": {"EX@clinic.org"}},
        [], ["on the mentee's list of people to avoid"],
    ),
    (
        "same employer, excluded by the program",
        {"employer": "Riverside Clinic"}, {"employer": "riverside  clinic"},
        [], ["same employer"],
    ),
    (
        "same person enrolled on both sides",
        {"email": "a@b.org"}, {"email": "A@b.org"},
        [], ["same person"],
    ),
]  # fmt: skip


FIELD_CRITERION = {
    "specialties": "specialty", "populations": "population", "settings": "setting",
    "goals": "goals", "help_with": "goals", "languages": "language", "identity": "identity",
    "region": "region", "utc_offset": "region", "meeting": "meeting",
    "years_in_practice": "experience", "profession": "profession", "license_type": "profession",
}  # fmt: skip


@pytest.mark.parametrize(
    "mentor_fields,mentee_fields,parts,blocked",
    [case[1:] for case in EXPLANATIONS],
    ids=[case[0] for case in EXPLANATIONS],
)
def test_explanation(mentor_fields, mentee_fields, parts, blocked):
    """Each case counts only the criteria it talks about (unless it says otherwise),
    with the default weights."""
    mentioned = {
        FIELD_CRITERION[f] for f in {*mentor_fields, *mentee_fields} if f in FIELD_CRITERION
    }
    mentee_fields = {"nice_to_haves": mentioned, **mentee_fields}
    mentor = Mentor(id=1, **_frozen(mentor_fields))
    mentee = Mentee(id=2, **_frozen(mentee_fields))
    explanation = explain(mentor, mentee)
    assert [str(p) for p in explanation.parts] == parts
    assert list(explanation.blocked) == blocked
    scores = score([mentee], [mentor])
    assert scores.points[0, 0] == explanation.score == sum(p.points for p in explanation.parts)
    assert scores.allowed[0, 0] == (not blocked)


def _frozen(fields: dict) -> dict:
    return {k: frozenset(v) if isinstance(v, set) else v for k, v in fields.items()}


def test_same_employer_is_allowed_when_neither_program_nor_mentee_excludes_it():
    mentor = Mentor(id=1, employer="Riverside Clinic")
    relaxed = Program(exclude_same_employer=False)
    assert explain(mentor, Mentee(id=2, employer="Riverside Clinic"), relaxed).allowed
    strict_mentee = Mentee(id=2, employer="Riverside Clinic", avoid_same_employer=True)
    assert explain(mentor, strict_mentee, relaxed).blocked == ("same employer",)


def test_identity_details_are_scored_but_marked_private():
    mentor = Mentor(id=1, identity=frozenset({"LGBTQ+"}))
    mentee = Mentee(id=2, identity=frozenset({"LGBTQ+"}), nice_to_haves=frozenset({"identity"}))
    explanation = explain(mentor, mentee)
    assert explanation.score == 10
    assert [p.private for p in explanation.parts] == [True]
    assert explanation.public_parts() == ()
    assert "LGBTQ+" not in str(explanation)


def test_identity_cannot_be_a_must_have():
    with pytest.raises(ValueError, match="identity"):
        Mentee(id=1, must_haves=frozenset({"identity"}))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Mentor(id=1, capacity=-1)
    with pytest.raises(ValueError):
        Mentor(id=1, meeting="sometimes")
    with pytest.raises(ValueError):
        Weights(specialty=-3)
    with pytest.raises(ValueError, match="unique"):
        score([Mentee(id=1), Mentee(id=1)], [Mentor(id=1)])


# ----------------------------------------------------------------- random instances

SPECIALTIES = ["CBT", "DBT", "EMDR", "Trauma and PTSD", "Couples"]
LANGUAGES = ["English", "Spanish", "Mandarin"]
GOALS = ["Licensure exam", "Building a practice", "Research"]
REGIONS = [("", None), ("Northeast", -300), ("Midwest", -360), ("West", -480), ("Southeast", -300)]
EMPLOYERS = ["", "", "Riverside Clinic", "County Health"]


def subsets(pool, most=2):
    return st.lists(st.sampled_from(pool), max_size=most).map(frozenset)


@st.composite
def mentors(draw, n):
    out = []
    for i in range(n):
        region, offset = draw(st.sampled_from(REGIONS))
        out.append(
            Mentor(
                id=i + 1,
                capacity=draw(st.integers(1, 3)),
                email=f"mentor{i + 1}@example.org",
                employer=draw(st.sampled_from(EMPLOYERS)),
                profession=draw(st.sampled_from(["", "counselor", "social worker"])),
                license_type=draw(st.sampled_from(["", "LPC", "LCSW"])),
                years_in_practice=draw(st.integers(0, 20)),
                specialties=draw(subsets(SPECIALTIES, 3)),
                help_with=draw(subsets(GOALS)),
                languages=draw(subsets(LANGUAGES)),
                identity=draw(subsets(["BIPOC", "LGBTQ+"], 1)),
                region=region,
                utc_offset=offset,
                meeting=draw(st.sampled_from(MEETING_MODES)),
            )
        )
    return out


@st.composite
def mentees(draw, n, n_mentors):
    out = []
    for i in range(n):
        region, offset = draw(st.sampled_from(REGIONS))
        emails = [f"mentor{j + 1}@example.org" for j in range(n_mentors)] or ["x@example.org"]
        out.append(
            Mentee(
                id=100 + i,
                email=f"mentee{i}@example.org",
                employer=draw(st.sampled_from(EMPLOYERS)),
                profession=draw(st.sampled_from(["", "counselor", "social worker"])),
                license_type=draw(st.sampled_from(["", "LPC", "LCSW"])),
                years_in_practice=draw(st.integers(0, 8)),
                specialties=draw(subsets(SPECIALTIES)),
                goals=draw(subsets(GOALS)),
                languages=draw(subsets(LANGUAGES)),
                identity=draw(subsets(["BIPOC", "LGBTQ+"], 1)),
                region=region,
                utc_offset=offset,
                meeting=draw(st.sampled_from(MEETING_MODES)),
                must_haves=draw(subsets(sorted(MUST_HAVE_CRITERIA), 1)),
                nice_to_haves=draw(st.none() | subsets(list(CRITERIA), 6)),
                avoid_emails=draw(subsets(emails, 1)),
                avoid_same_employer=draw(st.booleans()),
                supervisor_email=draw(st.sampled_from(["", *emails])),
            )
        )
    return out


@st.composite
def instances(draw, max_mentees=6, max_mentors=4):
    n_mentors = draw(st.integers(0, max_mentors))
    people = draw(mentors(n_mentors))
    seekers = draw(mentees(draw(st.integers(0, max_mentees)), n_mentors))
    weights = Weights(
        **{c: draw(st.integers(0, 40)) for c in CRITERIA},
    )
    program = Program(weights=weights, exclude_same_employer=draw(st.booleans()))
    return seekers, people, program


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pair_score(mentee, mentor, program):
    explanation = explain(mentor, mentee, program)
    return explanation.score if explanation.allowed else None


def _check_valid(matching, seekers, people, program):
    """Capacities and hard constraints hold; each mentee has at most one mentor."""
    by_id = {m.id: m for m in people}
    mentee_by_id = {e.id: e for e in seekers}
    matched = [e for e, _ in matching.pairs]
    assert len(matched) == len(set(matched))
    assert set(matched) | set(matching.unmatched) == set(mentee_by_id)
    assert not set(matched) & set(matching.unmatched)
    load = {}
    total = 0
    for e, m in matching.pairs:
        explanation = explain(by_id[m], mentee_by_id[e], program)
        assert explanation.allowed, explanation.blocked
        total += explanation.score
        load[m] = load.get(m, 0) + 1
    assert all(load[m] <= by_id[m].capacity for m in load)
    assert matching.total == total


def _brute_force_blocking(matching, seekers, people, program, *, strict_only: bool):
    """Blocking pairs found by inspecting every pair in plain Python. With
    strict_only, preferences are the raw scores (both must strictly gain);
    otherwise ties are broken by id as the solver promises."""
    mentor_of = matching.mentor_of()
    held = {}
    for e, m in matching.pairs:
        held.setdefault(m, []).append(e)
    scores = {(e.id, m.id): _pair_score(e, m, program) for e in seekers for m in people}
    found = []
    for e in seekers:
        for m in people:
            s = scores[e.id, m.id]
            if s is None or mentor_of.get(e.id) == m.id:
                continue
            current = mentor_of.get(e.id)
            if current is not None:
                c = scores[e.id, current]
                mentee_gains = s > c if strict_only else (s, -m.id) > (c, -current)
                if not mentee_gains:
                    continue
            mine = held.get(m.id, [])
            if len(mine) < m.capacity:
                found.append((e.id, m.id))
                continue
            for other in mine:
                o = scores[other, m.id]
                if (s > o) if strict_only else (s, -e.id) > (o, -other):
                    found.append((e.id, m.id))
                    break
    return found


@PROPERTY
@given(instances())
def test_explanations_add_up_to_the_vectorised_scores(instance):
    seekers, people, program = instance
    scores = score(seekers, people, program)
    for i, e in enumerate(sorted(seekers, key=lambda x: x.id)):
        for j, m in enumerate(sorted(people, key=lambda x: x.id)):
            explanation = explain(m, e, program)
            assert scores.points[i, j] == explanation.score
            assert scores.allowed[i, j] == explanation.allowed


@PROPERTY
@given(instances())
def test_stable_matching_has_no_blocking_pair(instance):
    seekers, people, program = instance
    scores = score(seekers, people, program)
    matching = stable(scores)
    _check_valid(matching, seekers, people, program)
    assert _brute_force_blocking(matching, seekers, people, program, strict_only=False) == []
    assert _brute_force_blocking(matching, seekers, people, program, strict_only=True) == []
    assert blocking_pairs(scores, matching) == []


def _all_matchings(seekers, people, program):
    """Every valid matching of a tiny instance, as {mentee id: mentor id}."""
    options = []
    for e in seekers:
        allowed = [m.id for m in people if _pair_score(e, m, program) is not None]
        options.append([None, *allowed])
    capacity = {m.id: m.capacity for m in people}
    for choice in itertools.product(*options):
        load = {}
        for m in choice:
            if m is not None:
                load[m] = load.get(m, 0) + 1
        if all(load[m] <= capacity[m] for m in load):
            yield {e.id: m for e, m in zip(seekers, choice, strict=True) if m is not None}


TINY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@TINY
@given(instances(max_mentees=4, max_mentors=3))
def test_stable_gives_every_mentee_its_best_stable_mentor(instance):
    """Deferred acceptance is mentee-optimal: among all stable matchings (found by
    enumeration), no mentee does better than in ours."""
    seekers, people, program = instance
    ours = stable(score(seekers, people, program)).mentor_of()
    by_id = {m.id: m for m in people}

    def rank(e, m):
        return (-1, 0) if m is None else (_pair_score(e, by_id[m], program), -m)

    for assignment in _all_matchings(seekers, people, program):
        candidate = _as_matching(assignment, seekers, people, program)
        if _brute_force_blocking(candidate, seekers, people, program, strict_only=False):
            continue
        for e in seekers:
            assert rank(e, ours.get(e.id)) >= rank(e, assignment.get(e.id))


def _as_matching(assignment, seekers, people, program):
    from mentorship.matching import Matching

    by_id = {m.id: m for m in people}
    mentee_by_id = {e.id: e for e in seekers}
    pairs = tuple(sorted(assignment.items()))
    return Matching(
        pairs=pairs,
        unmatched=tuple(sorted(set(mentee_by_id) - set(assignment))),
        total=sum(explain(by_id[m], mentee_by_id[e], program).score for e, m in pairs),
    )


@TINY
@given(instances(max_mentees=5, max_mentors=3))
def test_optimal_equals_exhaustive_search(instance):
    seekers, people, program = instance
    scores = score(seekers, people, program)
    by_id = {m.id: m for m in people}
    mentee_by_id = {e.id: e for e in seekers}
    best_total, best_by_count = 0, (0, 0)
    for assignment in _all_matchings(seekers, people, program):
        total = sum(
            explain(by_id[m], mentee_by_id[e], program).score for e, m in assignment.items()
        )
        best_total = max(best_total, total)
        best_by_count = max(best_by_count, (len(assignment), total))
    by_score = optimal(scores)
    _check_valid(by_score, seekers, people, program)
    assert by_score.total == best_total
    by_count = optimal(scores, maximize_matched=True)
    _check_valid(by_count, seekers, people, program)
    assert (len(by_count.pairs), by_count.total) == best_by_count


def _lp_optimum(points, allowed, capacity, *, bonus=0.0):
    """The b-matching LP solved by HiGHS: max sum (points + bonus) x over allowed pairs."""
    rows, cols = np.nonzero(allowed)
    if len(rows) == 0:
        return 0.0
    n_e, n_m = points.shape
    a = np.zeros((n_e + n_m, len(rows)))
    a[rows, np.arange(len(rows))] = 1
    a[n_e + cols, np.arange(len(rows))] = 1
    b = np.concatenate([np.ones(n_e), capacity])
    c = -(points[rows, cols] + bonus)
    result = linprog(c, A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    assert result.status == 0
    return -result.fun


def _random_scores(seed, n_e, n_m):
    rng = random.Random(seed)
    people = [
        Mentor(
            id=j + 1,
            capacity=rng.randint(1, 5),
            email=f"m{j}@example.org",
            specialties=frozenset(rng.sample(SPECIALTIES, rng.randint(0, 3))),
            help_with=frozenset(rng.sample(GOALS, rng.randint(0, 2))),
            languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
            years_in_practice=rng.randint(0, 30),
            region=rng.choice(REGIONS)[0],
            meeting=rng.choice(MEETING_MODES),
        )
        for j in range(n_m)
    ]
    seekers = [
        Mentee(
            id=1000 + i,
            specialties=frozenset(rng.sample(SPECIALTIES, rng.randint(0, 3))),
            goals=frozenset(rng.sample(GOALS, rng.randint(0, 2))),
            languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
            years_in_practice=rng.randint(0, 6),
            region=rng.choice(REGIONS)[0],
            meeting=rng.choice(MEETING_MODES),
            must_haves=frozenset(
                rng.sample(["language", "meeting", "experience"], rng.randint(0, 1))
            ),
            avoid_emails=frozenset({f"m{rng.randrange(n_m)}@example.org"}),
        )
        for i in range(n_e)
    ]
    return score(seekers, people, Program())


@pytest.mark.parametrize("seed,n_e,n_m", [(1, 40, 10), (2, 60, 25), (3, 25, 30), (4, 80, 8)])
def test_optimal_equals_linear_program_and_expanded_assignment(seed, n_e, n_m):
    scores = _random_scores(seed, n_e, n_m)
    points, allowed, capacity = scores.points.astype(float), scores.allowed, scores.capacity
    assert optimal(scores).total == round(_lp_optimum(points, allowed & (points >= 0), capacity))

    # Independently: scipy's assignment on a matrix with one column per slot.
    slots = np.repeat(np.arange(n_m), capacity)
    expanded = np.where(allowed & (points > 0), points, 0)[:, slots]
    r, c = linear_sum_assignment(expanded, maximize=True)
    assert optimal(scores).total == expanded[r, c].sum()

    # Most matched first: the LP with a bonus large enough that a pair always wins.
    by_count = optimal(scores, maximize_matched=True)
    bonus = 10_000.0
    best = _lp_optimum(points, allowed, capacity, bonus=bonus)
    assert len(by_count.pairs) * bonus + by_count.total == pytest.approx(best)


@PROPERTY
@given(instances(), st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_order(instance, rnd):
    seekers, people, program = instance
    first = score(seekers, people, program)
    shuffled_mentees, shuffled_mentors = list(seekers), list(people)
    rnd.shuffle(shuffled_mentees)
    rnd.shuffle(shuffled_mentors)
    again = score(shuffled_mentees, shuffled_mentors, program)
    assert np.array_equal(first.points, again.points)
    assert stable(first) == stable(again) == stable(first)
    assert optimal(first) == optimal(again)
    assert optimal(first, maximize_matched=True) == optimal(again, maximize_matched=True)


@PROPERTY
@given(instances())
def test_optimal_is_at_least_as_good_as_stable(instance):
    """Stable's pairs without its negative ones are a valid matching, so the best
    total is at least their sum; and nobody matches more than the most-matched mode."""
    seekers, people, program = instance
    scores = score(seekers, people, program)
    by_stable = stable(scores)
    mentee_by_id, by_id = {e.id: e for e in seekers}, {m.id: m for m in people}
    kept = [explain(by_id[m], mentee_by_id[e], program).score for e, m in by_stable.pairs]
    assert optimal(scores).total >= sum(s for s in kept if s >= 0)
    assert len(optimal(scores, maximize_matched=True).pairs) >= len(by_stable.pairs)


def test_ties_are_broken_by_id():
    """Two identical mentors for one mentee: the lower id wins; two identical
    mentees for one slot: the lower id wins."""
    twins = [Mentor(id=7), Mentor(id=3)]
    assert stable(score([Mentee(id=1)], twins)).pairs == ((1, 3),)
    one_slot = [Mentor(id=1, capacity=1)]
    assert stable(score([Mentee(id=9), Mentee(id=4)], one_slot)).pairs == ((4, 1),)


def test_stable_respects_mentor_preferences_over_mentee_order():
    """A mentor full with a weaker mentee takes a better one who proposes later."""
    mentor = Mentor(id=1, capacity=1, specialties=frozenset({"EMDR"}))
    weak = Mentee(id=1)
    strong = Mentee(id=2, specialties=frozenset({"EMDR"}))
    assert stable(score([weak, strong], [mentor])).pairs == ((2, 1),)


def test_optimal_can_beat_stable_on_total_score():
    """Both mentees like mentor 1 best (18 points each); mentor 1 keeps the lower id.
    Stable leaves mentee 2 with a 0-point mentor; optimal swaps for 10 + 18."""
    only = {c: 0 for c in CRITERIA if c not in ("specialty", "goals")}
    program = Program(weights=Weights(specialty=10, goals=8, **only))
    m1 = Mentor(id=1, specialties=frozenset({"A", "B"}), help_with=frozenset({"G"}))
    m2 = Mentor(id=2, specialties=frozenset({"A"}))
    e1 = Mentee(id=1, specialties=frozenset({"A"}), goals=frozenset({"G"}))
    e2 = Mentee(id=2, specialties=frozenset({"B"}), goals=frozenset({"G"}))
    scores = score([e1, e2], [m1, m2], program)
    by_stable, by_total = stable(scores), optimal(scores)
    assert (by_stable.pairs, by_stable.total) == (((1, 1), (2, 2)), 18)
    assert (by_total.pairs, by_total.total) == (((1, 2), (2, 1)), 28)
    assert blocking_pairs(scores, by_total) == [(1, 1)]


def test_negative_pair_left_unmatched_unless_most_matched_first():
    mentor = Mentor(id=1, meeting=VIRTUAL, years_in_practice=1)
    mentee = Mentee(id=1, meeting=IN_PERSON, years_in_practice=3)
    scores = score([mentee], [mentor])
    assert scores.points[0, 0] < 0
    assert optimal(scores).pairs == ()
    assert optimal(scores, maximize_matched=True).pairs == ((1, 1),)
    assert stable(scores).pairs == ((1, 1),)


def test_full_mentors_and_zero_capacity():
    scores = score([Mentee(id=1), Mentee(id=2)], [Mentor(id=1, capacity=0)])
    assert stable(scores).pairs == optimal(scores).pairs == ()
    assert stable(score([], [Mentor(id=1)])).pairs == ()
    assert optimal(score([Mentee(id=1)], [])).unmatched == (1,)


# ----------------------------------------------------------------- unmatched reasons


def test_unmatched_reasons_name_the_missing_must_have():
    people = [
        Mentor(id=1, capacity=1, languages=frozenset({"English"}), email="a@x.org"),
        Mentor(id=2, capacity=1, languages=frozenset({"English"}), email="b@x.org",
               meeting=VIRTUAL, years_in_practice=20),
    ]  # fmt: skip
    seekers = [
        Mentee(id=10, languages=frozenset({"Spanish"}), must_haves=frozenset({"language"})),
        Mentee(id=11, meeting=IN_PERSON, must_haves=frozenset({"meeting", "experience"})),
        Mentee(id=12, avoid_emails=frozenset({"a@x.org"}), supervisor_email="b@x.org"),
        Mentee(id=13),
        Mentee(id=14),
        Mentee(id=15),
    ]
    program = Program()
    matching = stable(score(seekers, people, program))
    reasons = unmatched_reasons(seekers, people, program, matching)
    assert reasons[10] == "no mentor meets the must-have: Spanish"
    assert reasons[11] == (
        "no mentor meets all the must-haves together: "
        "meets in person; at least 5 more years in practice"
    )
    assert reasons[12].startswith("every mentor who meets the must-haves is excluded")
    assert reasons[15] == "the 2 mentors who fit are full"
    assert set(reasons) == {10, 11, 12, 15}


def test_unmatched_reason_when_a_pair_would_lower_the_total():
    mentor = Mentor(id=1, meeting=VIRTUAL, years_in_practice=1)
    mentee = Mentee(id=1, meeting=IN_PERSON, years_in_practice=3)
    matching = optimal(score([mentee], [mentor]))
    assert unmatched_reasons([mentee], [mentor], None, matching) == {
        1: "the mentors with room would lower the total score (best score -25)"
    }

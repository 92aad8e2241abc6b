#!/usr/bin/env python
"""Mentorship matching at association scale: 5,000 mentees x 1,000 mentors.

Builds a program with realistic attributes (professions, specialties with a few
popular ones, mostly English with some Spanish speakers, five US regions, a
third of people preferring virtual meetings, a quarter of mentees with a
must-have, some with people to avoid or a clinical supervisor among the
mentors), mentor capacities 1-5, then times (median of --runs):

  scoring   every pair's score (mentorship.matching.score)
  stable    mentee-proposing deferred acceptance (mentorship.matching.stable)
  optimal   largest total score (mentorship.matching.optimal); also the
            "most matched first" variant

and checks: no blocking pair in the stable matching; the optimal total equals
the optimum found by an independent solver (scipy's sparse LAPJVsp,
min_weight_full_bipartite_matching, on a slot graph with one escape per mentee).
Peak memory is the process's peak resident size after our runs (before the
reference below), and the peak of allocations traced during one more run.

Reference: the `matching` package's HospitalResident game (pure Python) on
growing instances of the same kind (500 x 100, 1,000 x 200, ...) until the next
size would exceed --ref-budget seconds; on the largest it solved, our stable
solver's time as a ratio of its time (building the game + solving), and both
matchings checked for stability (and compared: with the same strict
preferences they must be the same mentee-optimal matching). The package deep-
copies its players recursively, so it runs in a thread with a large stack and
a raised recursion limit; without that it fails beyond a few hundred mentees.

    .venv/bin/python bench/matching.py [--mentees 5000] [--mentors 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

# This file is named like the `matching` package it compares with: put the
# project root where Python put this script's folder, so `import matching` finds it.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
sys.path.insert(0, str(_here.parent))

from mentorship.matching import (  # noqa: E402
    MEETING_MODES,
    Mentee,
    Mentor,
    Program,
    blocking_pairs,
    optimal,
    score,
    stable,
)

SPECIALTIES = [
    "Trauma and PTSD", "Anxiety", "CBT", "Depression", "Child and adolescent", "DBT",
    "Substance use", "Family systems", "EMDR", "Couples", "Mindfulness-based", "ACT",
    "Motivational interviewing", "Grief and loss", "Psychodynamic", "LGBTQ+ affirming care",
    "Play therapy", "Eating disorders", "Severe mental illness", "Perinatal", "Older adults",
    "Neurodiversity",
]  # fmt: skip
POPULATIONS = [
    "Adults", "Adolescents", "Children", "Couples and families", "Older adults", "LGBTQ+",
    "Veterans", "BIPOC communities", "People with disabilities", "Immigrants and refugees",
]  # fmt: skip
SETTINGS = [
    "Private practice", "Community agency", "Hospital", "School", "University",
    "Telehealth", "Military / VA", "Correctional",
]  # fmt: skip
HELP = [
    "Licensure exam", "Supervision hours", "Building a private practice", "Insurance and billing",
    "Specialty training", "Ethics", "Leadership", "Research", "Career change",
    "Work-life balance",
]  # fmt: skip
LANGUAGES = [("English", 0.97), ("Spanish", 0.15), ("French", 0.02), ("Mandarin", 0.02),
             ("ASL", 0.02), ("Vietnamese", 0.01)]  # fmt: skip
REGIONS = [("Northeast", -300), ("Southeast", -300), ("Midwest", -360), ("Southwest", -420),
           ("West", -480)]  # fmt: skip
PROFESSIONS = {"counselor": ("LPC", 0.30), "social_worker": ("LCSW", 0.30),
               "psychologist": ("Psychologist", 0.15), "mft": ("LMFT", 0.15),
               "addiction": ("LADC", 0.10)}  # fmt: skip
STAGES = [("student", 0, 0.25), ("pre-licensure", 1, 0.35), ("early career", 3, 0.30),
          ("mid career", 9, 0.10)]  # fmt: skip
IDENTITY = ["BIPOC", "LGBTQ+", "First-generation professional", "Parent", "Veteran"]


def _some(rng: random.Random, pool: list[str], low: int, high: int, skew: float = 1.1):
    """A few items, the first of the pool being the most popular (Zipf-like)."""
    weights = [1 / (i + 1) ** skew for i in range(len(pool))]
    wanted, out = rng.randint(low, high), set()
    while len(out) < wanted:
        out.add(rng.choices(pool, weights)[0])
    return frozenset(out)


def _languages(rng: random.Random) -> frozenset[str]:
    return frozenset(name for name, p in LANGUAGES if rng.random() < p) or frozenset({"English"})


def _profession(rng: random.Random) -> str:
    return rng.choices(list(PROFESSIONS), [w for _, w in PROFESSIONS.values()])[0]


def build(n_mentees: int, n_mentors: int, seed: int) -> tuple[list[Mentee], list[Mentor]]:
    rng = random.Random(seed)
    employers = [f"Employer {i}" for i in range(max(10, n_mentors // 3))]
    mentors = []
    for i in range(n_mentors):
        profession = _profession(rng)
        region, offset = rng.choice(REGIONS)
        mentors.append(
            Mentor(
                id=i + 1,
                capacity=rng.randint(1, 5),
                email=f"mentor{i}@example.org",
                employer=rng.choice(employers) if rng.random() < 0.6 else "",
                profession=profession,
                license_type=PROFESSIONS[profession][0],
                years_in_practice=rng.randint(5, 35),
                specialties=_some(rng, SPECIALTIES, 2, 5),
                populations=_some(rng, POPULATIONS, 1, 3),
                settings=_some(rng, SETTINGS, 1, 2),
                help_with=_some(rng, HELP, 2, 5, 0.5),
                languages=_languages(rng),
                identity=_some(rng, IDENTITY, 0, 2),
                region=region,
                utc_offset=offset,
                meeting=rng.choices(MEETING_MODES, [0.3, 0.4, 0.3])[0],
            )
        )
    mentees = []
    for i in range(n_mentees):
        profession = _profession(rng)
        region, offset = rng.choice(REGIONS)
        stage, years, _ = rng.choices(STAGES, [w for *_, w in STAGES])[0]
        languages, must = _languages(rng), set()
        if "Spanish" in languages and rng.random() < 0.3:
            languages = frozenset({"Spanish"})
            must.add("language")
        draw = rng.random()
        if draw < 0.25:
            must.add(rng.choice(["meeting", "profession", "specialty", "goals"]))
        if draw < 0.08:
            must.add(rng.choice(["region", "population", "setting", "experience"]))
        mentees.append(
            Mentee(
                id=100_000 + i,
                email=f"mentee{i}@example.org",
                employer=rng.choice(employers) if rng.random() < 0.7 else "",
                profession=profession,
                license_type=PROFESSIONS[profession][0] if stage != "student" else "",
                career_stage=stage,
                years_in_practice=years,
                specialties=_some(rng, SPECIALTIES, 1, 4),
                populations=_some(rng, POPULATIONS, 1, 2),
                settings=_some(rng, SETTINGS, 1, 2),
                goals=_some(rng, HELP, 1, 3, 0.5),
                languages=languages,
                identity=_some(rng, IDENTITY, 0, 1),
                region=region,
                utc_offset=offset,
                meeting=rng.choices(MEETING_MODES, [0.25, 0.45, 0.30])[0],
                must_haves=frozenset(must),
                avoid_emails=frozenset({f"mentor{rng.randrange(n_mentors)}@example.org"})
                if rng.random() < 0.1
                else frozenset(),
                avoid_same_employer=rng.random() < 0.2,
                supervisor_email=f"mentor{rng.randrange(n_mentors)}@example.org"
                if rng.random() < 0.2
                else "",
            )
        )
    return mentees, mentors


def _median_time(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _independent_optimum(scores) -> int:
    """The largest total score by scipy's sparse LAPJVsp: rows are mentees, columns
    are mentor slots plus one escape column per mentee (weight 1), so a full
    matching always exists; a pair (score >= 0, allowed) weighs score + 1."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    n_e, _ = scores.points.shape
    usable = scores.allowed & (scores.points >= 0)
    rows, mentors = np.nonzero(usable)
    weights = scores.points[rows, mentors].astype(np.float64) + 1
    capacity = scores.capacity
    first_slot = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    reps = capacity[mentors]
    offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    slot_rows = np.repeat(rows, reps)
    slot_cols = np.repeat(first_slot[mentors], reps) + offsets
    slot_weights = np.repeat(weights, reps)
    n_slots = int(capacity.sum())
    graph = csr_matrix(
        (
            np.concatenate([slot_weights, np.ones(n_e)]),
            (
                np.concatenate([slot_rows, np.arange(n_e)]),
                np.concatenate([slot_cols, n_slots + np.arange(n_e)]),
            ),
        ),
        shape=(n_e, n_slots + n_e),
    )
    r, c = min_weight_full_bipartite_matching(graph, maximize=True)
    total = np.asarray(graph[r, c]).ravel().sum()
    return round(total) - n_e


def _preferences(scores):
    """The same strict preferences our solver uses, as the package wants them."""
    n_e, n_m = scores.points.shape
    points = scores.points.astype(np.int64)
    mentee_key = points * n_m + np.arange(n_m - 1, -1, -1)[None, :]
    mentor_key = points * n_e + np.arange(n_e - 1, -1, -1)[:, None]
    e_ids, m_ids = scores.mentee_ids.tolist(), scores.mentor_ids.tolist()
    resident_prefs, hospital_prefs = {}, {}
    for i in range(n_e):
        ok = np.flatnonzero(scores.allowed[i])
        if len(ok):  # the package refuses a resident who accepts nobody
            resident_prefs[e_ids[i]] = [m_ids[j] for j in ok[np.argsort(-mentee_key[i, ok])]]
    ranked = set(resident_prefs)
    for j in range(n_m):
        ok = [i for i in np.flatnonzero(scores.allowed[:, j]) if e_ids[i] in ranked]
        ok = np.array(ok, dtype=np.int64)
        order = ok[np.argsort(-mentor_key[ok, j])] if len(ok) else ok
        hospital_prefs[m_ids[j]] = [e_ids[i] for i in order]
    capacities = {m_ids[j]: int(scores.capacity[j]) for j in range(n_m)}
    return resident_prefs, hospital_prefs, capacities


def _run_reference(scores) -> dict:
    from matching.games import HospitalResident

    prefs = _preferences(scores)
    out: dict = {}

    def work() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(*prefs)
            built = time.perf_counter()
            solved = game.solve(optimal="resident")
            done = time.perf_counter()
            out["stable"] = bool(game.check_stability())
        out["build_s"], out["solve_s"], out["total_s"] = (
            built - started,
            done - built,
            done - started,
        )
        out["pairs"] = sorted((r.name, h.name) for h, rs in solved.items() for r in rs)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1024 * 1024 * 1024)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(limit)
    if "pairs" not in out:
        raise RuntimeError("the matching package failed on this instance")
    return out


def reference(seed: int, budget: float) -> dict:
    """The largest instance (5 mentees per mentor) the package solves within budget."""
    best, previous = None, None
    sizes = [(500, 100), (1000, 200), (2000, 400), (3000, 600), (5000, 1000)]
    for n_e, n_m in sizes:
        mentees, mentors = build(n_e, n_m, seed + n_e)
        scores = score(mentees, mentors, Program())
        ref = _run_reference(scores)
        ours_s, ours = _median_time(lambda s=scores: stable(s), 5)
        ref.update(
            mentees=n_e,
            mentors=n_m,
            ours_s=ours_s,
            ours_stable=not blocking_pairs(scores, ours),
            same=ref["pairs"] == list(ours.pairs),
        )
        print(
            f"  reference {n_e:>5} x {n_m:<5} matching package {ref['total_s']:8.2f} s "
            f"(build {ref['build_s']:.2f} + solve {ref['solve_s']:.2f})   "
            f"ours {ours_s * 1000:8.1f} ms   stable: {ref['stable']}/{ref['ours_stable']}   "
            f"same matching: {ref['same']}",
            flush=True,
        )
        best = ref
        growth = max(4.0, ref["total_s"] / previous) if previous else 8.0
        if ref["total_s"] * growth > budget:
            break
        previous = ref["total_s"]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--ref-budget", type=float, default=120.0, help="seconds per reference solve"
    )
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()

    mentees, mentors = build(args.mentees, args.mentors, args.seed)
    program = Program()
    slots = sum(m.capacity for m in mentors)
    print(f"{args.mentees:,} mentees x {args.mentors:,} mentors ({slots:,} slots), "
          f"median of {args.runs} runs", flush=True)  # fmt: skip

    scoring_s, scores = _median_time(lambda: score(mentees, mentors, program), args.runs)
    stable_s, by_stable = _median_time(lambda: stable(scores), args.runs)
    optimal_s, by_total = _median_time(lambda: optimal(scores), args.runs)
    most_s, by_count = _median_time(lambda: optimal(scores, maximize_matched=True), args.runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tracemalloc.start()
    optimal(score(mentees, mentors, program))
    stable(score(mentees, mentors, program))
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    blocking = blocking_pairs(scores, by_stable)
    independent = _independent_optimum(scores)
    allowed_share = float(scores.allowed.mean())

    rows = [
        ("scoring", scoring_s, "", ""),
        ("stable (deferred acceptance)", stable_s, len(by_stable.pairs), by_stable.total),
        ("optimal (largest total)", optimal_s, len(by_total.pairs), by_total.total),
        ("optimal (most matched first)", most_s, len(by_count.pairs), by_count.total),
    ]
    print(f"{'step':<32}{'seconds':>10}{'matched':>10}{'total score':>14}")
    for name, seconds, matched, total in rows:
        print(f"{name:<32}{seconds:>10.3f}{matched!s:>10}{total!s:>14}")
    print(f"allowed pairs: {allowed_share:.1%}; blocking pairs in stable: {len(blocking)}; "
          f"independent optimum {independent} (ours {by_total.total})")  # fmt: skip
    print(f"scoring + stable {scoring_s + stable_s:.2f} s, scoring + optimal "
          f"{scoring_s + optimal_s:.2f} s; peak RSS {peak_mb:.0f} MB, "
          f"traced peak {traced_mb:.0f} MB")  # fmt: skip

    result = {
        "mentees": args.mentees,
        "mentors": args.mentors,
        "slots": slots,
        "runs": args.runs,
        "scoring_s": round(scoring_s, 3),
        "stable_s": round(stable_s, 3),
        "optimal_s": round(optimal_s, 3),
        "optimal_most_matched_s": round(most_s, 3),
        "peak_mb": round(peak_mb, 1),
        "traced_peak_mb": round(traced_mb, 1),
        "matched_stable": len(by_stable.pairs),
        "matched_optimal": len(by_total.pairs),
        "matched_most_matched": len(by_count.pairs),
        "score_stable": by_stable.total,
        "score_optimal": by_total.total,
        "score_most_matched": by_count.total,
        "stable_blocking_pairs": len(blocking),
        "optimal_is_optimal": independent == by_total.total,
    }
    if not args.no_reference:
        print("reference: matching package (HospitalResident), resident-optimal", flush=True)
        ref = reference(args.seed, args.ref_budget)
        result.update(
            ref_mentees=ref["mentees"],
            ref_mentors=ref["mentors"],
            ref_s=round(ref["total_s"], 3),
            ref_solve_s=round(ref["solve_s"], 3),
            ours_on_ref_s=round(ref["ours_s"], 4),
            ratio=round(ref["ours_s"] / ref["total_s"], 5),
            ref_stable=ref["stable"],
            ours_on_ref_stable=ref["ours_stable"],
            ref_same_matching=ref["same"],
        )
        print(f"on {ref['mentees']:,} x {ref['mentors']:,}: ours {ref['ours_s'] * 1000:.1f} ms, "
              f"package {ref['total_s']:.2f} s: ratio {result['ratio']:.5f} "
              f"(1/{1 / result['ratio']:.0f})")  # fmt: skip
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

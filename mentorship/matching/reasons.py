"""Why an unmatched mentee has no mentor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mentorship.matching.explain import must_have_text
from mentorship.matching.people import CRITERIA, SET_CRITERIA, Mentee, Mentor, Program
from mentorship.matching.scoring import pair_scores, score, set_scores, sorted_by_id
from mentorship.matching.solvers import Matching


def unmatched_reasons(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    program: Program | None,
    matching: Matching,
) -> dict[int, str]:
    """Why each unmatched mentee has no mentor, in words an organizer can act on."""
    program = program or Program()
    waiting = set(matching.unmatched)
    subset = sorted((e for e in mentees if e.id in waiting), key=lambda e: e.id)
    if not subset:
        return {}
    ms = sorted_by_id(mentors, "mentor")
    sub = score(subset, ms, program)
    load: dict[int, int] = {}
    for _, mentor_id in matching.pairs:
        load[mentor_id] = load.get(mentor_id, 0) + 1
    room = np.array([m.capacity - load.get(m.id, 0) > 0 for m in ms], dtype=bool)
    zeros = np.zeros(len(subset), dtype=np.int32)
    met: dict[str, np.ndarray] = {}
    for criterion in sorted(set().union(*(e.must_haves for e in subset))):
        fn = set_scores if criterion in SET_CRITERIA else pair_scores
        met[criterion] = fn(criterion, subset, ms, zeros)[1]
    reasons: dict[int, str] = {}
    for i, mentee in enumerate(subset):
        musts = [c for c in CRITERIA if c in mentee.must_haves]
        impossible = [c for c in musts if not met[c][i].any()]
        together = np.ones(len(ms), dtype=bool)
        for c in musts:
            together &= met[c][i]
        fits = sub.allowed[i]
        if not ms:
            reasons[mentee.id] = "no mentors are enrolled"
        elif impossible:
            texts = "; ".join(must_have_text(c, mentee) for c in impossible)
            reasons[mentee.id] = f"no mentor meets the must-have: {texts}"
        elif not together.any():
            texts = "; ".join(must_have_text(c, mentee) for c in musts)
            reasons[mentee.id] = f"no mentor meets all the must-haves together: {texts}"
        elif not fits.any():
            reasons[mentee.id] = (
                "every mentor who meets the must-haves is excluded "
                "(people to avoid, same employer or clinical supervisor)"
            )
        elif (fits & room).any():
            best = int(sub.points[i][fits & room].max())
            reasons[mentee.id] = (
                f"the mentors with room would lower the total score (best score {best:+d})"
            )
        else:
            n = int(fits.sum())
            reasons[mentee.id] = (
                f"the {n} mentors who fit are full" if n > 1 else "the one mentor who fits is full"
            )
    return reasons

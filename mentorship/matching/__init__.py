"""The mentorship matching engine: pure Python + numpy/scipy, no Django import.

    scores = score(mentees, mentors, program)     # every pair at once (numpy)
    explain(mentor, mentee, program)              # one pair, as its parts
    stable(scores)                                # deferred acceptance, no blocking pair
    optimal(scores, maximize_matched=False)       # the largest total score
    unmatched_reasons(mentees, mentors, program, matching)

Scoring. Each criterion a mentee counts (a must-have or a nice-to-have) adds
integer points weighted by the program; criteria the mentee set aside add
nothing. A pair is *allowed* unless a hard constraint forbids it: a must-have
the mentor does not meet, a mentor on the mentee's avoid list, the mentee's
clinical supervisor (mentoring is not clinical supervision), the same employer
when the program or the mentee excludes it, or the same person. The vectorised
`score` and the one-pair `explain` compute the same integer formulas, so the
parts of an explanation always add up to the pair's score exactly.

Solvers. Both take the same `Scores`, respect capacities and hard constraints,
and are deterministic: ties are broken by id (lower first).
- `stable`: mentee-proposing deferred acceptance with capacities
  (hospitals/residents). A mentee ranks mentors by score, a mentor ranks mentees
  by the same score; every allowed pair is acceptable. The result is the
  mentee-optimal stable matching: no mentee and mentor would both rather be
  together than with what they have.
- `optimal`: the matching with the largest total score (ties: more pairs), or
  with `maximize_matched` the most pairs and, among those, the largest total.
  A pair with a negative score lowers the total, so the first mode leaves such a
  mentee unmatched rather than pair them. Solved exactly as an assignment problem
  with one column per mentor slot (scipy's `linear_sum_assignment`).
"""

from mentorship.matching.explain import explain, must_have_text
from mentorship.matching.people import (
    CRITERIA,
    CRITERION_LABELS,
    EITHER,
    IN_PERSON,
    MEETING_MODES,
    MUST_HAVE_CRITERIA,
    PRIVATE_CRITERIA,
    VIRTUAL,
    Explanation,
    Mentee,
    Mentor,
    Part,
    Program,
    Weights,
)
from mentorship.matching.reasons import unmatched_reasons
from mentorship.matching.scoring import Scores, score
from mentorship.matching.solvers import Matching, blocking_pairs, optimal, stable

__all__ = [
    "CRITERIA",
    "CRITERION_LABELS",
    "EITHER",
    "IN_PERSON",
    "MEETING_MODES",
    "MUST_HAVE_CRITERIA",
    "PRIVATE_CRITERIA",
    "VIRTUAL",
    "Explanation",
    "Matching",
    "Mentee",
    "Mentor",
    "Part",
    "Program",
    "Scores",
    "Weights",
    "blocking_pairs",
    "explain",
    "must_have_text",
    "optimal",
    "score",
    "stable",
    "unmatched_reasons",
]

"""The stable and the optimal solver, and a check for blocking pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentorship.matching.scoring import Scores


@dataclass(frozen=True)
class Matching:
    pairs: tuple[tuple[int, int], ...]  # (mentee id, mentor id), in mentee id order
    unmatched: tuple[int, ...]  # mentee ids
    total: int  # sum of the pairs' scores

    def mentor_of(self) -> dict[int, int]:
        return dict(self.pairs)


def _result(scores: Scores, rows: np.ndarray, cols: np.ndarray) -> Matching:
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    matched = np.zeros(len(scores.mentee_ids), dtype=bool)
    matched[rows] = True
    return Matching(
        pairs=tuple(
            zip(scores.mentee_ids[rows].tolist(), scores.mentor_ids[cols].tolist(), strict=True)
        ),
        unmatched=tuple(scores.mentee_ids[~matched].tolist()),
        total=int(scores.points[rows, cols].astype(np.int64).sum()),
    )


_FLOOR = -(2**62)  # below every real key


def _mentor_keys(scores: Scores) -> np.ndarray:
    """How each mentor ranks each mentee (higher first): the score, then the lower
    mentee id. Unique within a column, so mentors have strict preferences."""
    n = len(scores.mentee_ids)
    rank = np.arange(n - 1, -1, -1, dtype=np.int64)[:, None]
    return scores.points.astype(np.int64) * n + rank


def _mentee_keys(scores: Scores) -> np.ndarray:
    """How each mentee ranks each mentor (higher first): the score, then the lower id."""
    n = len(scores.mentor_ids)
    rank = np.arange(n - 1, -1, -1, dtype=np.int64)[None, :]
    return scores.points.astype(np.int64) * n + rank


def stable(scores: Scores) -> Matching:
    """Mentee-proposing deferred acceptance with mentor capacities.

    A free mentee proposes to the best mentor it has not yet proposed to; the
    mentor keeps its best `capacity` proposers and rejects the rest. Once a
    mentor is full the worst mentee it holds only gets better, so a mentee skips,
    in one vectorised step, every mentor that would reject it now: the outcome is
    the same as proposing one by one, far faster for mentees nobody can take.
    """
    n_mentees, n_mentors = scores.points.shape
    if n_mentees == 0 or n_mentors == 0:
        return _result(scores, np.empty(0, np.int64), np.empty(0, np.int64))
    mentee_key = _mentee_keys(scores)
    mentee_key[~scores.allowed] = _FLOOR
    order = np.argsort(-mentee_key, axis=1).astype(np.int32)
    lengths = scores.allowed.sum(axis=1).tolist()
    del mentee_key
    ranked_keys = np.take_along_axis(_mentor_keys(scores), order, axis=1)

    capacity = scores.capacity.tolist()
    threshold = np.full(n_mentors, _FLOOR, dtype=np.int64)  # worst key held once full
    threshold[scores.capacity <= 0] = np.iinfo(np.int64).max
    held: list[list[tuple[int, int]]] = [[] for _ in range(n_mentors)]
    next_choice = [0] * n_mentees
    free = list(range(n_mentees - 1, -1, -1))
    while free:
        mentee = free.pop()
        start, end = next_choice[mentee], lengths[mentee]
        keys, mentors = ranked_keys[mentee], order[mentee]
        chunk, found = 8, -1
        while start < end:
            stop = min(start + chunk, end)
            takes = keys[start:stop] > threshold[mentors[start:stop]]
            first = int(takes.argmax())
            if takes[first]:
                found = start + first
                break
            start, chunk = stop, min(chunk * 4, 4096)
        if found < 0:
            next_choice[mentee] = end
            continue
        next_choice[mentee] = found + 1
        mentor, key = int(mentors[found]), int(keys[found])
        bucket = held[mentor]
        bucket.append((key, mentee))
        if len(bucket) > capacity[mentor]:
            worst = min(bucket)
            bucket.remove(worst)
            free.append(worst[1])
        if len(bucket) == capacity[mentor]:
            threshold[mentor] = min(bucket)[0]
    rows = [mentee for bucket in held for _, mentee in bucket]
    cols = [mentor for mentor, bucket in enumerate(held) for _ in bucket]
    return _result(scores, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))


def optimal(scores: Scores, *, maximize_matched: bool = False) -> Matching:
    """The matching with the largest total score (ties: more pairs), or with
    `maximize_matched` the most pairs and then the largest total score.

    An assignment problem with one column per mentor slot. Forbidden pairs (and,
    when maximising the score, pairs with a negative score) weigh 0 and are
    dropped from the answer, which leaves the optimum unchanged: every weight of
    a kept pair is positive, so taking a 0-weight cell never beats leaving it.
    """
    n_mentees, n_mentors = scores.points.shape
    slots = np.repeat(np.arange(n_mentors), scores.capacity)
    if n_mentees == 0 or len(slots) == 0:
        return _result(scores, np.empty(0, np.int64), np.empty(0, np.int64))
    pairs = min(n_mentees, len(slots))
    points = scores.points.astype(np.float64)
    if maximize_matched:
        # One more pair always outweighs any difference in total score.
        biggest = float(np.abs(scores.points).max(initial=0))
        weight = np.where(scores.allowed, points + (2 * pairs * biggest + 1), 0.0)
        keep = scores.allowed
    else:
        # Score first; among equal totals one more (non-negative) pair wins.
        keep = scores.allowed & (scores.points >= 0)
        weight = np.where(keep, points * (pairs + 1) + 1, 0.0)
    del points
    rows, cols = linear_sum_assignment(weight[:, slots], maximize=True)
    del weight
    mentors = slots[cols]
    useful = keep[rows, mentors]
    return _result(scores, rows[useful].astype(np.int64), mentors[useful].astype(np.int64))


def blocking_pairs(scores: Scores, matching: Matching) -> list[tuple[int, int]]:
    """(mentee id, mentor id) pairs that would both rather be together: an allowed
    pair where the mentee prefers the mentor to its match (or to none) and the
    mentor has room or prefers the mentee to the worst one it holds. Ties are
    broken by id as in `stable`."""
    n_mentees, n_mentors = scores.points.shape
    row = {int(i): k for k, i in enumerate(scores.mentee_ids)}
    col = {int(i): k for k, i in enumerate(scores.mentor_ids)}
    rows = np.array([row[e] for e, _ in matching.pairs], dtype=np.int64)
    cols = np.array([col[m] for _, m in matching.pairs], dtype=np.int64)
    mentee_key = _mentee_keys(scores)
    current = np.full(n_mentees, _FLOOR, dtype=np.int64)
    current[rows] = mentee_key[rows, cols]
    wants = scores.allowed & (mentee_key > current[:, None])
    del mentee_key
    mentor_key = _mentor_keys(scores)
    load = np.bincount(cols, minlength=n_mentors)
    worst = np.full(n_mentors, _FLOOR, dtype=np.int64)
    if len(rows):
        held = np.full(n_mentors, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(held, cols, mentor_key[rows, cols])
        full = load >= scores.capacity
        worst[full] = held[full]
    worst[scores.capacity <= 0] = np.iinfo(np.int64).max
    found = np.argwhere(wants & (mentor_key > worst[None, :]))
    return [(int(scores.mentee_ids[i]), int(scores.mentor_ids[j])) for i, j in found]

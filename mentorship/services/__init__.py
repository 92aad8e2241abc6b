"""Every mentorship write. Views, commands and tests call these; none writes models."""

from mentorship.services.enrollment import enrollment_withdraw, mentee_enroll, mentor_enroll
from mentorship.services.lifecycle import (
    feedback_submit,
    goal_add,
    goal_progress,
    match_accept,
    match_decline,
    match_end,
    meeting_log_add,
)
from mentorship.services.programs import program_save
from mentorship.services.requests import (
    mentor_request_accept,
    mentor_request_create,
    mentor_request_decline,
    mentor_request_withdraw,
    requests_expire,
)
from mentorship.services.runs import (
    ConstraintWarning,
    draft_match_remove,
    draft_match_set,
    match_run_create,
    match_run_publish,
)

__all__ = [
    "ConstraintWarning",
    "draft_match_remove",
    "draft_match_set",
    "enrollment_withdraw",
    "feedback_submit",
    "goal_add",
    "goal_progress",
    "match_accept",
    "match_decline",
    "match_end",
    "match_run_create",
    "match_run_publish",
    "meeting_log_add",
    "mentee_enroll",
    "mentor_enroll",
    "mentor_request_accept",
    "mentor_request_create",
    "mentor_request_decline",
    "mentor_request_withdraw",
    "program_save",
    "requests_expire",
]

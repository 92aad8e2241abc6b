"""Every write in the events app. Views, the API, admin actions and commands call these."""

from events.services.registrations import (
    registration_cancel,
    registration_confirm,
    registration_create,
)
from events.services.signups import session_signup_cancel, session_signup_create, waitlist_promote

__all__ = [
    "registration_cancel",
    "registration_confirm",
    "registration_create",
    "session_signup_cancel",
    "session_signup_create",
    "waitlist_promote",
]

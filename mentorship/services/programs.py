"""Organizers create and change programs."""

from django.db import transaction

from accounts.models import User
from events.errors import RegistrationError
from mentorship.models import Program
from mentorship.services.common import check_manager


@transaction.atomic
def program_save(*, program: Program, by: User) -> Program:
    """Save a program built by a form (new or changed). The provider must be one
    the user manages; the event, if any, must belong to that provider."""
    if not program.organization_id:
        raise RegistrationError("no_provider", "Choose the provider that runs the program.")
    check_manager(program, by)
    if program.event_id and program.event.organization_id != program.organization_id:
        raise RegistrationError("wrong_event", "The event must belong to the same provider.")
    program.full_clean()
    program.save()
    return program

"""Mentorship emails (templates/emails/mentorship_*.txt), sent after commit."""

from events.services.notify import email_after_commit
from mentorship.models import Match, MentorRequest


def match_email(match: Match, template: str, *, to_role: str, **extra) -> None:
    """One side of a match gets `mentorship_<template>`."""
    enrollment = match.mentor if to_role == "mentor" else match.mentee
    other = match.mentee if to_role == "mentor" else match.mentor
    email_after_commit(
        to=enrollment.user.email,
        template=f"mentorship_{template}",
        context={
            "match": match,
            "program": match.program,
            "user": enrollment.user,
            "other": other.user,
            "role": to_role,
            **extra,
        },
    )


def both(match: Match, template: str, **extra) -> None:
    match_email(match, template, to_role="mentor", **extra)
    match_email(match, template, to_role="mentee", **extra)


def request_email(request: MentorRequest, template: str, *, to_role: str) -> None:
    enrollment = request.mentor if to_role == "mentor" else request.mentee
    other = request.mentee if to_role == "mentor" else request.mentor
    email_after_commit(
        to=enrollment.user.email,
        template=f"mentorship_{template}",
        context={
            "request": request,
            "program": request.program,
            "user": enrollment.user,
            "other": other.user,
        },
    )

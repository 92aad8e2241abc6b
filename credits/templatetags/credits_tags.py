"""Credit on other apps' pages: events templates load these tags, so the events
app never imports credits (DESIGN.md: imports run one way)."""

from django import template

from credits.selectors import event_offerings

register = template.Library()


@register.simple_tag
def event_credit(event) -> dict:
    """`{% event_credit event as credit %}`: session id -> offerings, in three queries
    for the whole page; look a session up with `credit|get_item:session.pk`."""
    return event_offerings(event)


@register.filter
def hours_for(row, offering):
    """A roster row's hours under one offering (None when it has no award there)."""
    return row.hours_for(offering)


@register.simple_tag
def accreditation_hours(credit: dict, accreditation_id: int) -> tuple:
    """(total hours, sessions) offered under one accreditation across the event."""
    offerings = [o for items in credit.values() for o in items]
    mine = [o for o in offerings if o.accreditation_id == accreditation_id]
    return sum((o.hours for o in mine), 0), len(mine)

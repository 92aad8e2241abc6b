"""Small template filters for Convene's pages (no logic beyond presentation)."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`my_signups|get_item:session.pk`: a dict lookup by a variable key (None if absent)."""
    if not mapping:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def has_passed(moment) -> bool:
    """True when an aware datetime lies in the past (e.g. a session that already started)."""
    if not isinstance(moment, datetime):
        return False
    return moment <= timezone.now()


@register.filter
def trim_decimal(value) -> str:
    """Decimal("1.50") -> "1.5", Decimal("3.00") -> "3" (CE hours read better without zeros)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
    text = format(number.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text

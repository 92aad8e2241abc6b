"""{{ body|linkify }}: escape a chat message and make its http(s) links clickable.
static/js/chat.js does the same for live messages (text nodes and <a>, never HTML)."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def trim_url(url: str) -> str:
    """Leave sentence punctuation and an unmatched closing bracket outside the link."""
    url = url.rstrip(".,;:!?")
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(".,;:!?")
    return url


@register.filter
def linkify(text: str) -> SafeString:
    parts, last = [], 0
    for match in URL.finditer(text or ""):
        url = trim_url(match.group(0))
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html('<a href="{}" rel="noopener nofollow ugc">{}</a>', url, url))
        last = match.start() + len(url)
    parts.append(escape((text or "")[last:]))
    return mark_safe("".join(parts))  # every piece above is escaped

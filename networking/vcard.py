"""vCard 3.0 (RFC 2426) writing, pure logic: escaping, structured values and line
folding. Lines end in CRLF and are folded at 75 octets without splitting a UTF-8
character."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


def escape(text: str) -> str:
    """A TEXT value: backslash, comma, semicolon and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continuation lines
    starting with one space (RFC 2425 5.8.1)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


@dataclass
class Card:
    given_name: str
    family_name: str
    formatted_name: str
    email: str = ""
    organization: str = ""
    title: str = ""
    note: str = ""
    urls: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        n = ";".join(escape(part) for part in (self.family_name, self.given_name, "", "", ""))
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{n}", f"FN:{escape(self.formatted_name)}"]
        if self.email:
            lines.append(f"EMAIL;TYPE=INTERNET:{escape(self.email)}")
        if self.organization:
            lines.append(f"ORG:{escape(self.organization)}")
        if self.title:
            lines.append(f"TITLE:{escape(self.title)}")
        lines.extend(f"URL:{url}" for url in self.urls)
        if self.note:
            lines.append(f"NOTE:{escape(self.note)}")
        lines.append("END:VCARD")
        return lines


def vcards(cards: Iterable[Card]) -> str:
    return "".join(fold(line) + "\r\n" for card in cards for line in card.lines())

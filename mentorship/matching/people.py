"""What the engine matches: mentors, mentees, program weights, and explanations."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

IN_PERSON, VIRTUAL, EITHER = "in_person", "virtual", "either"
MEETING_MODES = (IN_PERSON, VIRTUAL, EITHER)
EXPERIENCE_GAP = 5  # years more than the mentee for full credit (and the must-have)
NEAR_MINUTES = 60  # time zones at most this far apart count as "close"

# criterion -> (mentee attribute, mentor attribute): scored by how much they share
SET_CRITERIA = {
    "specialty": ("specialties", "specialties"),
    "population": ("populations", "populations"),
    "setting": ("settings", "settings"),
    "goals": ("goals", "help_with"),
    "language": ("languages", "languages"),
    "identity": ("identity", "identity"),
}
CRITERIA = (*SET_CRITERIA, "region", "meeting", "experience", "profession")
PRIVATE_CRITERIA = frozenset({"identity"})  # DESIGN.md invariant 7
MUST_HAVE_CRITERIA = frozenset(CRITERIA) - PRIVATE_CRITERIA
CRITERION_LABELS = {
    "specialty": "Specialties and modalities",
    "population": "Populations served",
    "setting": "Practice settings",
    "goals": "What you want help with",
    "language": "Language",
    "identity": "Shared identity (private)",
    "region": "Region and time zone",
    "meeting": "In person or virtual",
    "experience": "Mentor's experience",
    "profession": "Profession and license type",
}


@dataclass(frozen=True)
class Weights:
    """Points for a criterion fully met (integers, 0 switches a criterion off)."""

    specialty: int = 30
    population: int = 15
    setting: int = 10
    goals: int = 25
    language: int = 20
    identity: int = 10
    region: int = 10
    meeting: int = 10
    experience: int = 15
    profession: int = 15

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
                raise ValueError(f"weight {f.name} must be an integer from 0 to 1000")


@dataclass(frozen=True)
class Program:
    weights: Weights = field(default_factory=Weights)
    exclude_same_employer: bool = True


def normalize(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Mentor:
    id: int
    capacity: int = 1  # mentees this mentor can still take
    email: str = ""
    employer: str = ""
    profession: str = ""
    license_type: str = ""
    years_in_practice: int = 0
    specialties: frozenset[str] = frozenset()
    populations: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    help_with: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    identity: frozenset[str] = frozenset()
    region: str = ""
    utc_offset: int | None = None  # minutes east of UTC
    meeting: str = EITHER

    def __post_init__(self) -> None:
        if not isinstance(self.capacity, int) or self.capacity < 0:
            raise ValueError("capacity must be a whole number, 0 or more")
        if self.meeting not in MEETING_MODES:
            raise ValueError(f"meeting must be one of {MEETING_MODES}")


@dataclass(frozen=True)
class Mentee:
    id: int
    email: str = ""
    employer: str = ""
    profession: str = ""
    license_type: str = ""
    career_stage: str = ""
    years_in_practice: int = 0
    specialties: frozenset[str] = frozenset()
    populations: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    identity: frozenset[str] = frozenset()  # details they would like a mentor to share
    region: str = ""
    utc_offset: int | None = None
    meeting: str = EITHER
    must_haves: frozenset[str] = frozenset()
    nice_to_haves: frozenset[str] | None = None  # None: every other criterion counts
    avoid_emails: frozenset[str] = frozenset()
    avoid_same_employer: bool = False
    supervisor_email: str = ""

    def __post_init__(self) -> None:
        if self.meeting not in MEETING_MODES:
            raise ValueError(f"meeting must be one of {MEETING_MODES}")
        if not self.must_haves <= MUST_HAVE_CRITERIA:
            bad = sorted(self.must_haves - MUST_HAVE_CRITERIA)
            raise ValueError(f"these cannot be must-haves: {', '.join(bad)}")
        if self.nice_to_haves is not None and not self.nice_to_haves <= set(CRITERIA):
            raise ValueError("unknown nice-to-have criterion")

    def counts(self, criterion: str) -> bool:
        """Whether this criterion adds to the mentee's scores."""
        if criterion in self.must_haves:
            return True
        return self.nice_to_haves is None or criterion in self.nice_to_haves


@dataclass(frozen=True)
class Part:
    criterion: str
    label: str
    points: int
    private: bool = False

    def __str__(self) -> str:
        return f"{self.label} {self.points:+d}"


@dataclass(frozen=True)
class Explanation:
    parts: tuple[Part, ...]
    blocked: tuple[str, ...]  # hard constraints this pair breaks; empty when allowed

    @property
    def score(self) -> int:
        return sum(p.points for p in self.parts)

    @property
    def allowed(self) -> bool:
        return not self.blocked

    def public_parts(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if not p.private)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.parts)

import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from accounts.vocab import US_JURISDICTIONS, Profession


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str) -> "User":
        # Addresses are stored lower-cased; people type them any way they like.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address."""

    email = models.EmailField("email address", unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the admin (organizers and site staff)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Profile(models.Model):
    """The professional side of a user: shown on badges, certificates and rosters."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    profession = models.CharField(max_length=32, choices=Profession.choices, blank=True)
    credentials = models.CharField(
        max_length=120, blank=True, help_text='Letters after your name, e.g. "LPC, PhD".'
    )
    organization = models.CharField("employer or practice", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def display_name(self) -> str:
        name = self.user.get_full_name()
        return f"{name}, {self.credentials}" if self.credentials else name


class License(models.Model):
    """A license to practise. Seen only by its owner and the organizers of events
    the owner registered for (DESIGN.md invariant 7)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="licenses")
    profession = models.CharField(max_length=32, choices=Profession.choices)
    license_type = models.CharField(
        max_length=40, blank=True, help_text='The board\'s title, e.g. "LCSW" or "Psychologist".'
    )
    jurisdiction = models.CharField(max_length=2, choices=US_JURISDICTIONS)
    number = models.CharField(
        "license number",
        max_length=40,
        help_text="Exactly as your licensing board's database holds it.",
    )
    board_code = models.CharField(
        "CE Broker profession code",
        max_length=10,
        blank=True,
        help_text="For example PY (psychology) or SW (social work), if your state uses CE Broker.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction", "number"], name="license_unique_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_profession_display()} {self.jurisdiction} #{self.number}"


class CalendarToken(models.Model):
    """The secret in a user's personal calendar feed URL. Only its SHA-256 is stored:
    the link is shown once, when it is made, and a new one replaces it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def user_for(cls, token: str) -> User | None:
        """The active user whose feed this token opens, or None (one query)."""
        if not 20 <= len(token) <= 100:
            return None
        found = cls.objects.select_related("user").filter(token_hash=cls.hash(token)).first()
        if found is None or not found.user.is_active:
            return None
        return found.user

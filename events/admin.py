"""Organizer admin. Owners and staff of a provider see and edit only their own
provider's data; superusers see everything. Registrations change only through
services (admin actions), never by editing their status by hand."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone

from events.errors import RegistrationError
from events.models import (
    Accreditation,
    DiscountCode,
    Event,
    Membership,
    Organization,
    Payment,
    Presenter,
    Registration,
    Room,
    Session,
    SessionSignup,
    TicketType,
    Track,
)
from events.permissions import managed_organizations
from events.services import registration_cancel, registration_confirm, waitlist_promote
from events.services.payments import refund_registration
from events.services.sessions import session_change_notify, session_schedule_locked


class ProviderScopedAdmin(admin.ModelAdmin):
    """Limits rows and foreign-key choices to the providers the user manages.

    `provider_path` is the lookup from this model to its Organization.
    """

    provider_path = "organization"

    def _orgs(self, request):
        return managed_organizations(request.user)

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.provider_path}__in": self._orgs(request)}).distinct()

    def _is_organizer(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and self._orgs(request).exists()

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or self._is_organizer(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or self._is_organizer(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            orgs = self._orgs(request)
            if related is Organization:
                kwargs["queryset"] = orgs
            elif related in (Event, Presenter):
                kwargs["queryset"] = related.objects.filter(organization__in=orgs)
            elif related in (Track, Room, TicketType, Session):
                kwargs["queryset"] = related.objects.filter(event__organization__in=orgs)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model in (Track, Room):
            # Several events have a "Ballroom A": say which event each one is in.
            field.queryset = field.queryset.select_related("event")
            field.label_from_instance = lambda obj: f"{obj.name} ({obj.event.title})"
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is Presenter:
            kwargs["queryset"] = Presenter.objects.filter(organization__in=self._orgs(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class EventTimeZoneMixin:
    """Show and accept an event's times in the event's own time zone, not UTC
    (DESIGN.md invariant 8). Used on Event and on models with an `event` field."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        event = obj if isinstance(obj, Event) else getattr(obj, "event", None)
        with timezone.override(event.tzinfo if event else None):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # Render now: a TemplateResponse would otherwise render after the override ends.
            if hasattr(response, "render"):
                response.render()
            return response


class ScopedInlineMixin:
    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_change_permission(self, request, obj=None) -> bool:
        return True

    def has_add_permission(self, request, obj=None) -> bool:
        return True

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class AccreditationInline(ScopedInlineMixin, admin.StackedInline):
    model = Accreditation
    extra = 0


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(ProviderScopedAdmin):
    provider_path = "pk"
    list_display = ["name", "slug", "contact_email", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [AccreditationInline, MembershipInline]

    def get_queryset(self, request) -> QuerySet:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=self._orgs(request))

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser


@admin.register(Presenter)
class PresenterAdmin(ProviderScopedAdmin):
    list_display = ["name", "credentials", "title", "organization"]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "credentials", "title"]


class TrackInline(ScopedInlineMixin, admin.TabularInline):
    model = Track
    extra = 0


class RoomInline(ScopedInlineMixin, admin.TabularInline):
    model = Room
    extra = 0


class TicketTypeInline(ScopedInlineMixin, admin.TabularInline):
    model = TicketType
    extra = 0
    fields = [
        "name",
        "price",
        "currency",
        "capacity",
        "sales_start",
        "sales_end",
        "is_active",
        "position",
    ]


@admin.register(Event)
class EventAdmin(EventTimeZoneMixin, ProviderScopedAdmin):
    list_display = ["title", "organization", "status", "starts_at", "timezone"]
    list_filter = ["status", ("organization", admin.RelatedOnlyFieldListFilter), "delivery_format"]
    search_fields = ["title", "slug", "venue_name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [TrackInline, RoomInline, TicketTypeInline]
    fieldsets = (
        (None, {"fields": ("organization", "title", "slug", "status", "summary", "description")}),
        (
            "When and where",
            {
                "fields": (
                    "timezone",
                    "starts_at",
                    "ends_at",
                    "delivery_format",
                    "venue_name",
                    "venue_address",
                )
            },
        ),
        (
            "Published policies (required by accreditors)",
            {
                "fields": (
                    "target_audience",
                    "refund_policy",
                    "refund_deadline",
                    "grievance_policy",
                    "accessibility_statement",
                )
            },
        ),
        ("Payment", {"fields": ("payment_hold_minutes",)}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )


@admin.register(Session)
class SessionAdmin(EventTimeZoneMixin, ProviderScopedAdmin):
    provider_path = "event__organization"
    list_display = [
        "title",
        "event",
        "kind",
        "starts_at",
        "track",
        "room",
        "capacity",
        "ce_hours",
        "is_cancelled",
    ]
    list_filter = [
        ("event", admin.RelatedOnlyFieldListFilter),
        "kind",
        "level",
        ("track", admin.RelatedOnlyFieldListFilter),
        "is_cancelled",
    ]
    search_fields = ["title", "description", "presenters__name"]
    list_select_related = ["event", "track", "room"]
    filter_horizontal = ["presenters"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change) -> None:
        # The schedule as stored, read (and locked) before the form's values are saved.
        before = session_schedule_locked(session_id=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if change and {"capacity", "is_cancelled"} & set(form.changed_data):
            # More seats, or a session reinstated with seats given up while it was
            # cancelled: people waiting get them at once (none while it is cancelled).
            promoted = waitlist_promote(session=obj)
            if promoted:
                self.message_user(request, f"{len(promoted)} people moved up from the waitlist.")
        if before is not None:
            told = session_change_notify(session=obj, before=before)
            if told:
                self.message_user(request, f"{told} people booked in it were emailed the change.")


@admin.register(TicketType)
class TicketTypeAdmin(EventTimeZoneMixin, ProviderScopedAdmin):
    provider_path = "event__organization"
    list_display = [
        "name",
        "event",
        "price",
        "currency",
        "capacity",
        "sales_start",
        "sales_end",
        "is_active",
    ]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["name", "event__title"]


class SessionSignupInline(admin.TabularInline):
    model = SessionSignup
    extra = 0
    can_delete = False
    fields = ["session", "status", "created_at", "promoted_at", "cancelled_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class PaymentInline(admin.TabularInline):
    """What was paid through Stripe, with Stripe's ids to find it in the dashboard."""

    model = Payment
    extra = 0
    can_delete = False
    fields = [
        "amount",
        "currency",
        "status",
        "amount_refunded",
        "disputed",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "created_at",
        "paid_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


@admin.register(DiscountCode)
class DiscountCodeAdmin(EventTimeZoneMixin, ProviderScopedAdmin):
    provider_path = "event__organization"
    list_display = ["code", "event", "kind", "value", "max_uses", "valid_until", "is_active"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "kind", "is_active"]
    search_fields = ["code"]
    filter_horizontal = ["ticket_types"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is TicketType:
            kwargs["queryset"] = TicketType.objects.filter(
                event__organization__in=self._orgs(request)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Registration)
class RegistrationAdmin(ProviderScopedAdmin):
    provider_path = "event__organization"
    list_display = ["code", "user", "event", "ticket_type", "status", "amount_due", "created_at"]
    list_filter = [
        "status",
        ("event", admin.RelatedOnlyFieldListFilter),
        ("ticket_type", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "event", "ticket_type"]
    readonly_fields = [
        "code",
        "event",
        "user",
        "ticket_type",
        "status",
        "amount_due",
        "discount",
        "hold_expires_at",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "cancel_reason",
    ]
    inlines = [PaymentInline, SessionSignupInline]
    actions = ["mark_paid", "cancel_registrations", "refund_registrations"]

    def has_add_permission(self, request) -> bool:
        return False  # people register through the site; organizers never type one in

    @admin.action(description="Mark selected registrations paid (pay later)")
    def mark_paid(self, request, queryset) -> None:
        self._apply(
            request, queryset, lambda reg: registration_confirm(registration=reg, by=request.user)
        )

    @admin.action(description="Cancel selected registrations (frees their seats)")
    def cancel_registrations(self, request, queryset):
        # Destructive: show what will be cancelled and ask before doing it.
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/events/registration/cancel_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Cancel registrations?",
                    "registrations": queryset.select_related("user", "event"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        self._apply(
            request, queryset, lambda reg: registration_cancel(registration=reg, by=request.user)
        )
        return None

    @admin.action(description="Refund selected registrations in full (Stripe)")
    def refund_registrations(self, request, queryset):
        # Money leaves the provider's account: show what will be refunded and ask first.
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/events/registration/refund_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Refund registrations?",
                    "registrations": queryset.select_related("user", "event"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        reason = request.POST.get("reason", "").strip()[:300] or "Refunded by the organizer."
        self._apply(
            request,
            queryset,
            lambda reg: refund_registration(registration=reg, by=request.user, reason=reason),
        )
        return None

    def _apply(self, request, queryset, operation) -> None:
        done, failed = 0, []
        for registration in queryset:
            try:
                operation(registration)
                done += 1
            except RegistrationError as error:
                failed.append(f"{registration.code}: {error.message}")
        if done:
            self.message_user(request, f"{done} registration(s) updated.", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.WARNING)

"""Organizer admin for credit: offerings, rules, evaluation questions and settings.
Records (adjustments, awards, evaluations, certificates) are read-only here:
they change only through services."""

from django.contrib import admin
from django.db.models import Q

from credits.models import (
    AttendanceAdjustment,
    AttendanceRule,
    Award,
    Certificate,
    CreditOffering,
    CreditSettings,
    Evaluation,
    EvaluationQuestion,
    OfferingSubject,
)
from events.admin import EventTimeZoneMixin, ProviderScopedAdmin, ScopedInlineMixin
from events.models import Accreditation


class CreditScopedAdmin(ProviderScopedAdmin):
    """Adds accreditations and rules to the foreign keys limited to the user's providers."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            orgs = self._orgs(request)
            if db_field.related_model is Accreditation:
                kwargs["queryset"] = Accreditation.objects.filter(organization__in=orgs)
            elif db_field.related_model is AttendanceRule:
                kwargs["queryset"] = AttendanceRule.objects.filter(
                    Q(organization__isnull=True) | Q(organization__in=orgs)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyRecordAdmin(ProviderScopedAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AttendanceRule)
class AttendanceRuleAdmin(CreditScopedAdmin):
    list_display = [
        "name",
        "organization",
        "minutes_per_hour",
        "partial_increment",
        "late_grace",
        "early_grace",
        "max_absence",
        "requires_exit_scan",
    ]
    list_filter = ["preset", "partial_increment"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        # Organizers see the shipped presets (read-only) beside their own rules.
        return qs.filter(Q(organization__isnull=True) | Q(organization__in=self._orgs(request)))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.organization_id is None:
            return request.user.is_superuser
        return super().has_change_permission(request, obj)


class OfferingSubjectInline(ScopedInlineMixin, admin.TabularInline):
    model = OfferingSubject
    extra = 0


@admin.register(CreditOffering)
class CreditOfferingAdmin(CreditScopedAdmin):
    provider_path = "session__event__organization"
    list_display = ["session", "accreditation", "hours", "rule"]
    list_filter = [("session__event", admin.RelatedOnlyFieldListFilter), "accreditation__body"]
    search_fields = ["session__title"]
    list_select_related = ["session", "accreditation", "rule"]
    inlines = [OfferingSubjectInline]


@admin.register(CreditSettings)
class CreditSettingsAdmin(CreditScopedAdmin):
    provider_path = "event__organization"
    list_display = ["event", "evaluation_required", "signer_name", "signer_title"]


@admin.register(EvaluationQuestion)
class EvaluationQuestionAdmin(CreditScopedAdmin):
    provider_path = "event__organization"
    list_display = ["prompt", "event", "session", "kind", "required", "position"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "kind"]


@admin.register(AttendanceAdjustment)
class AttendanceAdjustmentAdmin(EventTimeZoneMixin, ReadOnlyRecordAdmin):
    provider_path = "session__event__organization"
    list_display = ["registration", "session", "kind", "starts_at", "ends_at", "created_by",
                    "created_at"]  # fmt: skip
    list_filter = [("session__event", admin.RelatedOnlyFieldListFilter), "kind"]
    search_fields = ["registration__code", "registration__user__email", "reason"]
    list_select_related = ["registration", "session", "created_by"]


@admin.register(Award)
class AwardAdmin(ReadOnlyRecordAdmin):
    provider_path = "session__event__organization"
    list_display = ["registration", "session", "offering", "minutes", "hours", "needs_review"]
    list_filter = [("session__event", admin.RelatedOnlyFieldListFilter), "needs_review"]
    search_fields = ["registration__code", "registration__user__email"]
    list_select_related = ["registration", "session", "offering__accreditation"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyRecordAdmin):
    provider_path = "session__event__organization"
    list_display = ["session", "registration", "objectives_met", "would_recommend", "submitted_at"]
    list_filter = [("session__event", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["session", "registration"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyRecordAdmin):
    provider_path = "registration__event__organization"
    list_display = ["code", "registration", "issued_at", "revoked_at"]
    list_filter = [("registration__event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "registration__code", "registration__user__email"]
    list_select_related = ["registration"]

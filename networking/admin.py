"""Admin: organizers (owners or staff of any provider) extend the specialty
vocabulary; site staff (superusers) see the rest. Writes go through services."""

from django import forms
from django.contrib import admin

from events.permissions import managed_organizations
from networking.models import Block, Connection, NetworkingReport, Specialty
from networking.services.profiles import specialty_create


class SpecialtyAdminForm(forms.ModelForm):
    class Meta:
        model = Specialty
        fields = ["name", "kind"]

    def clean_name(self) -> str:
        # The same rules as specialty_create; the model's constraint catches duplicates.
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError("A specialty name has 2 to 60 characters.")
        return name


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    form = SpecialtyAdminForm
    list_display = ["name", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def _organizer(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or managed_organizations(user).exists())
        )

    def has_module_permission(self, request) -> bool:
        return self._organizer(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._organizer(request)

    def has_add_permission(self, request) -> bool:
        return self._organizer(request)

    def has_change_permission(self, request, obj=None) -> bool:
        # Renaming a term changes every profile that uses it: site staff only.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = specialty_create(name=obj.name, kind=obj.kind, by=request.user)
        obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at


@admin.register(NetworkingReport)
class NetworkingReportAdmin(admin.ModelAdmin):
    list_display = ["reported", "reporter", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    readonly_fields = [
        "reporter", "reported", "reason", "events", "created_at", "resolved_at", "resolved_by",
        "resolution",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["requester", "addressee", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Connection._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    readonly_fields = ["blocker", "blocked", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

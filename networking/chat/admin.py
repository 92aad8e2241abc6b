"""Read-only views for site staff. Writes go through the pages and services: reports
of private rooms, which have no organizer, are reviewed on chat:private_reports (by
staff holding chat's "Can change report" permission, see
moderation.may_review_private_reports)."""

from django.contrib import admin

from networking.chat.models import Message, Mute, Report, Room


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(ReadOnly):
    list_display = ["title", "kind", "event", "last_seq", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "key"]


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ["room", "seq", "sender", "created_at", "edited_at", "deleted_at"]
    list_select_related = ["room", "sender"]
    search_fields = ["body"]
    raw_id_fields = ["room", "sender"]


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ["message", "reporter", "reason", "created_at", "resolution"]
    list_filter = ["resolution"]
    list_select_related = ["message", "reporter"]


@admin.register(Mute)
class MuteAdmin(ReadOnly):
    list_display = ["user", "event", "muted_by", "created_at"]
    list_select_related = ["user", "event", "muted_by"]

from django.contrib import admin

from mentorship.models import (
    Match,
    MatchFeedback,
    MatchRun,
    MenteeEnrollment,
    MentorEnrollment,
    MentorRequest,
    Program,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "starts_on", "mode"]
    list_filter = ["status", "mode", "organization"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MentorEnrollment)
class MentorEnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "capacity", "status"]
    list_filter = ["program", "status"]
    raw_id_fields = ["user"]


@admin.register(MenteeEnrollment)
class MenteeEnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "career_stage", "status"]
    list_filter = ["program", "status"]
    raw_id_fields = ["user"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "status", "score", "source"]
    list_filter = ["program", "status"]
    raw_id_fields = ["mentor", "mentee", "run", "room", "ended_by"]


admin.site.register(MatchRun)
admin.site.register(MatchFeedback)
admin.site.register(MentorRequest)

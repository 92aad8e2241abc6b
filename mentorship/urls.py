from django.urls import include, path

app_name = "mentorship"

# Each area's views module carries its own urlpatterns.
urlpatterns = [
    path("", include("mentorship.views.matches")),
    path("", include("mentorship.views.organizer")),
    path("", include("mentorship.views.programs")),
]

from django.urls import include, path

app_name = "credits"

# Each area's views module carries its own urlpatterns, so areas can change apart.
urlpatterns = [
    path("", include("credits.views.attendance")),
    path("", include("credits.views.evaluations")),
    path("", include("credits.views.certificates")),
    path("", include("credits.views.transcript")),
    path("", include("credits.views.exports")),
]

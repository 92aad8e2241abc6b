from django.urls import include, path

app_name = "networking"

# Each area's views module carries its own urlpatterns (as in credits/).
urlpatterns = [
    path("", include("networking.views.profiles")),
    path("", include("networking.views.directory")),
    path("", include("networking.views.connections")),
    path("", include("networking.views.connect")),
    path("", include("networking.views.exports")),
    path("", include("networking.views.moderation")),
    path("", include("networking.views.notifications")),
]

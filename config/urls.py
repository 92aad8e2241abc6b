from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api

admin.site.site_header = "Convene administration"
admin.site.site_title = "Convene admin"
admin.site.index_title = "Organizer tools"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("events.urls")),
    path("", include("checkin.urls")),
    path("", include("credits.urls")),
    path("", include("networking.urls")),
    path("", include("networking.chat.urls")),
    path("", include("mentorship.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

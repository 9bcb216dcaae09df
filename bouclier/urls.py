"""Root URL configuration: one include per bounded context."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from bouclier.accounts.admin_site import restrict_admin_to_administrators

restrict_admin_to_administrators(admin.site)

urlpatterns = [
    path("", include("bouclier.core.urls")),
    path("comptes/", include("bouclier.accounts.urls")),
    path("territoire/", include("bouclier.territory.urls")),
    path("journal/", include("bouclier.audit.urls")),
    path("aides/", include("bouclier.grants.urls")),
    path("aides/", include("bouclier.grants_office.urls")),
    path("guide-video/", include("bouclier.videoguide.urls")),
    path("supervision/", include("bouclier.supervision.urls")),
    path("mediation/", include("bouclier.mediation.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("administration/", admin.site.urls),
]

handler403 = "bouclier.core.views.permission_denied"
handler404 = "bouclier.core.views.page_not_found"
handler500 = "bouclier.core.views.server_error"

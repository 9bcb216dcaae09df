"""URLs of the grants context: public pages under the ``grants`` namespace, and the back office.

No ``app_name`` here: the règlement's admin site must sit in its own top-level instance
namespace (``grants_admin``, of the ``admin`` application) for the admin's templates to
reverse ``admin:...`` links, which a nested namespace would break.
"""

from django.urls import include, path

from bouclier.grants.admin import grants_admin_site
from bouclier.grants.views import reglement, simulation

public_patterns = [
    path("simulation/", simulation, name="simulation"),
    path("reglement/", reglement, name="reglement"),
]

urlpatterns = [
    path("", include((public_patterns, "grants"))),
    path("gestion/", grants_admin_site.urls),
]

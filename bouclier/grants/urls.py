"""URLs of the grants context: public pages under the ``grants`` namespace, and the back office.

No ``app_name`` here: the règlement's admin site must sit in its own top-level instance
namespace (``grants_admin``, of the ``admin`` application) for the admin's templates to
reverse ``admin:...`` links, which a nested namespace would break.
"""

from django.urls import include, path

from bouclier.grants import views_files, views_instruction
from bouclier.grants.admin import grants_admin_site
from bouclier.grants.views import reglement, simulation

public_patterns = [
    path("simulation/", simulation, name="simulation"),
    path("reglement/", reglement, name="reglement"),
    path("dossiers/", views_files.file_list, name="files"),
    path("dossiers/nouveau/", views_files.file_new, name="file_new"),
    path("dossiers/<int:pk>/", views_files.file_detail, name="file"),
    path("dossiers/<int:pk>/etape/<slug:step>/", views_files.file_step, name="file_step"),
    path("dossiers/<int:pk>/action/<slug:action>/", views_files.file_action, name="file_action"),
    path(
        "dossiers/<int:pk>/accuse-reception.pdf",
        views_files.acknowledgement,
        name="file_acknowledgement",
    ),
    path(
        "dossiers/<int:pk>/pieces/<int:document_pk>/",
        views_files.document_download,
        name="file_document",
    ),
    path("instruction/", views_instruction.queue, name="queue"),
    path("rattachement/", views_instruction.link, name="link"),
    path("rattachement/<int:pk>/decision/", views_instruction.link_decision, name="link_decision"),
]

urlpatterns = [
    path("", include((public_patterns, "grants"))),
    path("gestion/", grants_admin_site.urls),
]

"""URLs of the Département's side of the aids, mounted under ``/aides/`` next to the grants
context's own (no path in common)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bouclier.grants_office import api, views

app_name = "grants_office"

router = DefaultRouter()
router.register("dossiers", api.ApplicationViewSet, basename="api-application")
router.register("decisions", api.DecisionViewSet, basename="api-decision")

urlpatterns = [
    path("departement/", views.queue, name="queue"),
    path("departement/colonnes/", views.queue_columns, name="queue_columns"),
    path("departement/dossiers/<int:pk>/", views.instruction, name="instruction"),
    path(
        "departement/dossiers/<int:pk>/<slug:action>/",
        views.instruction_action,
        name="instruction_action",
    ),
    path("departement/avis/", views.opinions, name="opinions"),
    path("departement/avis/<int:pk>/", views.opinion, name="opinion"),
    path("departement/commissions/", views.sessions, name="sessions"),
    path("departement/commissions/<int:pk>/", views.session, name="session"),
    path(
        "departement/commissions/<int:pk>/rapport.pdf",
        views.session_report_as_pdf,
        name="session_report_pdf",
    ),
    path(
        "departement/commissions/<int:pk>/rapport.xlsx",
        views.session_report_as_xlsx,
        name="session_report_xlsx",
    ),
    path("departement/ordre-du-jour/<int:pk>/vote/", views.vote, name="vote"),
    path("departement/ordre-du-jour/<int:pk>/notifier/", views.notify, name="notify"),
    path("departement/ordre-du-jour/<int:pk>/lettre.pdf", views.letter, name="letter"),
    path("departement/versements/", views.payments, name="payments"),
    path(
        "departement/versements/<int:pk>/valider/",
        views.validate_payment,
        name="validate_payment",
    ),
    path(
        "departement/versements/ordres-de-paiement.csv",
        views.payment_orders,
        name="payment_orders",
    ),
    path("departement/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("departement/tableau-de-bord.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("donnees-ouvertes/subventions.csv", views.open_data, name="open_data"),
    path("reglement.pdf", views.reglement_as_pdf, name="reglement_pdf"),
    path("mode-d-emploi/", views.guide, name="guide"),
    path("mode-d-emploi/<slug:page>/", views.guide, name="guide_page"),
    path("api/", include(router.urls)),
]

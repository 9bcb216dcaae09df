"""URLs of the supervision context: the workers' ingestion API and the operator console."""

from django.urls import path

from bouclier.supervision import (
    api,
    views_console,
    views_dashboard,
    views_judicial,
    views_playback,
)

app_name = "supervision"

urlpatterns = [
    path("api/workers/heartbeat/", api.HeartbeatView.as_view(), name="api-heartbeat"),
    path("api/segments/", api.SegmentView.as_view(), name="api-segments"),
    path("api/alarms/", api.AlarmView.as_view(), name="api-alarms"),
    path("api/events/", api.TechnicalView.as_view(), name="api-events"),
    path("api/purges/", api.PurgeView.as_view(), name="api-purges"),
    path("api/live/", api.LiveView.as_view(), name="api-live"),
    # The operator console.
    path("console/", views_console.queue, name="queue"),
    path("console/flux/", views_console.stream, name="stream"),
    path("incidents/", views_console.incident_list, name="incidents"),
    path("incidents/<int:pk>/", views_console.incident_detail, name="incident"),
    path("incidents/<int:pk>/prendre/", views_console.take, name="take"),
    path("incidents/<int:pk>/visionner/", views_console.declare_view, name="declare_view"),
    path("incidents/<int:pk>/qualifier/", views_console.qualify, name="qualify"),
    path("incidents/<int:pk>/action/", views_console.action, name="action"),
    path("incidents/<int:pk>/attente/", views_console.hold, name="hold"),
    path("incidents/<int:pk>/clore/", views_console.close, name="close"),
    path("incidents/<int:pk>/rapport.pdf", views_console.report, name="report"),
    path("alarmes/<int:pk>/instantane/", views_console.snapshot, name="snapshot"),
    path("cameras/<int:pk>/direct/", views_console.live, name="live"),
    path("segments/<int:pk>/", views_console.segment, name="segment"),
    path("main-courante/", views_console.logbook, name="logbook"),
    path("main-courante/<int:pk>/corriger/", views_console.logbook_correct, name="logbook_correct"),
    path("registre/", views_console.register, name="register"),
    # Judicial requisitions.
    path("requisitions/", views_judicial.requisition_list, name="requisitions"),
    path("requisitions/nouvelle/", views_judicial.requisition_new, name="requisition_new"),
    path("requisitions/verifier/", views_judicial.verify, name="requisition_verify"),
    path("requisitions/<int:pk>/", views_judicial.requisition_detail, name="requisition"),
    path("requisitions/<int:pk>/valider/", views_judicial.validate, name="requisition_validate"),
    path("requisitions/<int:pk>/refuser/", views_judicial.refuse, name="requisition_refuse"),
    path("requisitions/<int:pk>/extraire/", views_judicial.extract, name="requisition_extract"),
    path("requisitions/<int:pk>/remise/", views_judicial.hand_over, name="requisition_hand_over"),
    path("requisitions/<int:pk>/lever-scelle/", views_judicial.release, name="requisition_release"),
    path("requisitions/<int:pk>/paquet.zip", views_judicial.package, name="requisition_package"),
    path(
        "requisitions/<int:pk>/proces-verbal.pdf",
        views_judicial.proces_verbal,
        name="requisition_pv",
    ),
    # Playback over a chosen range, and the live wall.
    path("cameras/<int:pk>/relecture/", views_playback.playback, name="playback"),
    path("mur/", views_playback.wall, name="wall"),
    # Dashboards over the user's scope.
    path("tableau-de-bord/", views_dashboard.overview, name="dashboard"),
]

"""URLs of the supervision context: the workers' ingestion API."""

from django.urls import path

from bouclier.supervision import api

app_name = "supervision"

urlpatterns = [
    path("api/workers/heartbeat/", api.HeartbeatView.as_view(), name="api-heartbeat"),
    path("api/segments/", api.SegmentView.as_view(), name="api-segments"),
    path("api/alarms/", api.AlarmView.as_view(), name="api-alarms"),
    path("api/events/", api.TechnicalView.as_view(), name="api-events"),
    path("api/purges/", api.PurgeView.as_view(), name="api-purges"),
    path("api/live/", api.LiveView.as_view(), name="api-live"),
]

"""URLs of the brigade, under ``/mediation/``; its back office sits at ``/mediation/gestion/``."""

from django.urls import include, path

from bouclier.mediation import views
from bouclier.mediation.admin import mediation_admin_site

patterns = [
    path("", views.index, name="index"),
    path("saisines/", views.request_list, name="requests"),
    path("saisines/nouvelle/", views.request_new, name="request_new"),
    path("saisines/<int:pk>/", views.request_detail, name="request_detail"),
    path("saisines/<int:pk>/prendre/", views.request_take, name="request_take"),
    path("saisines/<int:pk>/planifier/", views.request_plan, name="request_plan"),
    path("situations/", views.situation_list, name="situations"),
    path("situations/nouvelle/", views.situation_new, name="situation_new"),
    path("situations/<int:pk>/", views.situation_detail, name="situation_detail"),
    path("situations/<int:pk>/modifier/", views.situation_edit, name="situation_edit"),
    path("situations/<int:pk>/eleves/", views.pupil_add, name="pupil_add"),
    path("situations/<int:pk>/suivis/", views.follow_up_add, name="follow_up_add"),
    path("situations/<int:pk>/orientations/", views.referral_add, name="referral_add"),
    path("situations/<int:pk>/<slug:action>/", views.situation_action, name="situation_action"),
    path("suivis/<int:pk>/realise/", views.follow_up_complete, name="follow_up_complete"),
    path("orientations/<int:pk>/etat/", views.referral_status, name="referral_status"),
    path("prevention/", views.prevention_list, name="prevention"),
    path("prevention/nouvelle/", views.prevention_new, name="prevention_new"),
    path("presences/nouvelle/", views.presence_new, name="presence_new"),
    path("planning/", views.planning, name="planning"),
    path("charge/", views.workload, name="workload"),
    path("organisation/", views.organisation, name="organisation"),
    path("indicateurs/", views.indicators, name="indicators"),
    path("indicateurs/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("droits/", views.pupil_export, name="pupil_export"),
]

urlpatterns = [
    path("", include((patterns, "mediation"))),
    path("gestion/", mediation_admin_site.urls),
]

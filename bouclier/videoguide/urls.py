"""URLs of the video-protection guide (namespace ``videoguide``), mounted at /guide-video/."""

from django.urls import path

from bouclier.videoguide import views

app_name = "videoguide"

urlpatterns = [
    path("", views.start, name="start"),
    path("mes-etudes/", views.my_studies, name="my_studies"),
    path("etude/<str:token>/", views.study, name="study"),
    path("etude/<str:token>/projet/", views.project, name="project"),
    path("etude/<str:token>/cameras/", views.cameras, name="cameras"),
    path("etude/<str:token>/cameras/<int:pk>/", views.camera, name="camera"),
    path(
        "etude/<str:token>/cameras/<int:pk>/supprimer/", views.delete_camera, name="delete_camera"
    ),
    path("etude/<str:token>/verification/", views.check, name="check"),
    path("etude/<str:token>/conformite/", views.checklist, name="checklist"),
    path("etude/<str:token>/budget/", views.budget, name="budget"),
    path("etude/<str:token>/etude.pdf", views.pdf, name="pdf"),
    path("etude/<str:token>/enregistrer/", views.save, name="save"),
    path("etude/<str:token>/demande-d-aide/", views.to_application, name="to_application"),
]

"""URLs of the journal pages."""

from django.urls import path

from bouclier.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.journal, name="journal"),
    path("verifier/", views.verify, name="verify"),
]

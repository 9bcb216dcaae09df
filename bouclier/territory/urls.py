"""URLs of the territory directory."""

from django.urls import path

from bouclier.territory import views

app_name = "territory"
urlpatterns = [path("", views.directory, name="directory")]

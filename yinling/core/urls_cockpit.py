"""The cockpit's panel endpoints (the page itself is the staff home, `/`)."""

from django.urls import path

from yinling.core import views_cockpit

app_name = "cockpit"
urlpatterns = [
    path("panels/<slug:panel_id>/", views_cockpit.panel_json, name="panel"),
    path("panels/<slug:panel_id>/xlsx/", views_cockpit.panel_xlsx, name="panel_xlsx"),
]

from django.urls import include, path

app_name = "volunteering"

# Each half owns its URL module; names stay in the one "volunteering" namespace.
urlpatterns = [
    path("", include("yinling.volunteering.urls_people")),
    path("", include("yinling.volunteering.urls_activities")),
]

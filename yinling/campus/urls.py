from django.urls import include, path

app_name = "campus"

# Each part owns its URL module; names stay in the one "campus" namespace.
urlpatterns = [
    path("", include("yinling.campus.urls_member")),
    path("", include("yinling.campus.urls_staff")),
    path("", include("yinling.campus.urls_teaching")),
]

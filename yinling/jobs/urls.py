from django.urls import path

from yinling.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<id:pk>/", views.job_detail, name="detail"),
    path("<id:pk>/progress/", views.job_progress, name="progress"),
    path("<id:pk>/cancel/", views.job_cancel, name="cancel"),
    path("<id:pk>/files/<id:file_pk>/", views.job_file, name="file"),
]

from django.urls import path

from yinling.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<id:pk>/", views.open_item, name="open"),
    path("<id:pk>/read/", views.mark_read, name="read"),
]

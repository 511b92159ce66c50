from django.urls import path

from yinling.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditListView.as_view(), name="list"),
    path("<id:pk>/", views.AuditDetailView.as_view(), name="detail"),
]

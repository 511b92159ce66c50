from django.urls import path

from yinling.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.RetireeListView.as_view(), name="list"),
    path("add/", views.retiree_edit, name="add"),
    path("moves/", views.transfers, name="transfers"),
    path("libraries/save/", views.library_save, name="library_save"),
    path("libraries/<int:pk>/delete/", views.library_delete, name="library_delete"),
    path("<int:pk>/", views.retiree_detail, name="detail"),
    path("<int:pk>/edit/", views.retiree_edit, name="edit"),
    path("<int:pk>/death/", views.retiree_death, name="death"),
    path("<int:pk>/move/", views.retiree_transfer, name="transfer"),
    path("<int:pk>/delete/", views.retiree_delete, name="delete"),
]

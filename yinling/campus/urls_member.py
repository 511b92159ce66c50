from django.urls import path

from yinling.campus import views_member

# The retiree's pages (elder mode, phone first).
urlpatterns = [
    path("me/", views_member.my_classes, name="my_classes"),
]

from django.urls import path

from yinling.campus import views_member, views_member_mine, views_public

# The retiree's pages (elder mode, phone first), and the public page of a term's lottery (no sign-in).
urlpatterns = [
    path("classes/", views_member.classes, name="classes"),
    path("classes/<id:pk>/", views_member.section, name="class"),
    path("classes/<id:pk>/enrol/", views_member.enrol_view, name="enrol"),
    path("classes/<id:pk>/answer/", views_member.answer, name="answer"),
    path("classes/<id:pk>/withdraw/", views_member_mine.withdraw, name="withdraw"),
    path("classes/<id:pk>/accept/", views_member_mine.accept, name="accept"),
    path("classes/<id:pk>/decline/", views_member_mine.decline, name="decline"),
    path("me/", views_member_mine.my_classes, name="my_classes"),
    path("lottery/<id:pk>/", views_public.lottery_page, name="lottery_public"),
    path("lottery/<id:pk>/record.json", views_public.lottery_json, name="lottery_public_json"),
]

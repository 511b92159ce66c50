from django.urls import path

from yinling.rounds import views_member, views_report, views_staff

app_name = "rounds"
urlpatterns = [
    path("", views_staff.round_list, name="list"),
    path("open/", views_staff.open_round, name="open"),
    path("<id:pk>/", views_staff.round_detail, name="detail"),
    path("<id:pk>/counts/", views_staff.round_counts, name="counts"),
    path("<id:pk>/close/", views_staff.close, name="close"),
    path("<id:pk>/report/", views_report.report, name="report"),
    path("<id:pk>/report/pdf/", views_report.report_pdf, name="report_pdf"),
    path("<id:pk>/entries/<id:epk>/", views_staff.entry, name="entry"),
    path("<id:pk>/entries/<id:epk>/quick/", views_staff.quick, name="quick"),
    path("me/", views_member.me, name="me"),
    path("me/<id:epk>/", views_member.answer, name="answer"),
    path("me/<id:epk>/help/", views_member.help_needed, name="help"),
]

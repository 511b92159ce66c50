from django.urls import path

from yinling.timebank import views

app_name = "timebank"
urlpatterns = [
    # Members (a retiree, or staff acting for one)
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("needs/new/", views.post_need, name="post_need"),
    path("needs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("needs/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("needs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("needs/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("board/", views.board, name="board"),
    path("board/<int:pk>/accept/", views.accept, name="accept"),
    path("services/", views.my_services, name="services"),
    path("services/<int:pk>/report/", views.report, name="report"),
    path("donate/", views.donate, name="donate"),
    path("gift/", views.gift, name="gift"),
    path("statement/", views.statement, name="statement"),
    # Staff
    path("members/", views.MemberListView.as_view(), name="members"),
    path("members/enrol/", views.enrol, name="enrol"),
    path("members/<int:retiree>/", views.member_detail, name="member"),
    path("members/<int:retiree>/enrol/", views.enrol_one, name="enrol_one"),
    path("members/<int:retiree>/provider/", views.member_provider, name="member_provider"),
    path("members/<int:retiree>/grant/", views.member_grant, name="member_grant"),
    path("members/<int:retiree>/statement/", views.member_statement, name="member_statement"),
    path("requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/add/", views.request_add, name="request_add"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/resolve/", views.request_resolve, name="request_resolve"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/report/", views.request_report, name="request_report"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("ledger/<int:pk>/reverse/", views.reverse_transfer, name="reverse"),
    path("pools/", views.pools, name="pools"),
    path("pools/<str:code>/", views.pool_detail, name="pool"),
    path("pools/<str:code>/issue/", views.pool_issue, name="pool_issue"),
    path("pools/<str:code>/grant/", views.pool_grant, name="pool_grant"),
    path("reports/", views.monthly_report, name="reports"),
]

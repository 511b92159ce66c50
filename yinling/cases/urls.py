from django.urls import path

from yinling.cases import views_items, views_member, views_pdf, views_staff

app_name = "cases"
urlpatterns = [
    # The retiree's pages.
    path("", views_member.home, name="home"),
    path("apply/<slug:code>/", views_member.apply, name="apply"),
    path("mine/", views_member.mine, name="mine"),
    path("mine/<id:pk>/", views_member.mine_detail, name="mine_detail"),
    path("mine/<id:pk>/fix/", views_member.resubmit, name="resubmit"),
    path("mine/<id:pk>/pdf/", views_pdf.mine_pdf, name="mine_pdf"),
    path("more/", views_member.external, name="external"),
    path("attachments/<id:pk>/", views_staff.attachment, name="attachment"),
    # The staff desk.
    path("desk/", views_staff.CaseListView.as_view(), name="case_list"),
    path("desk/queue/", views_staff.queue, name="queue"),
    path("desk/<id:pk>/", views_staff.case_detail, name="case"),
    path("desk/<id:pk>/decide/", views_staff.decide, name="decide"),
    path("desk/<id:pk>/pdf/", views_pdf.case_pdf, name="case_pdf"),
    path("desk/workdays/", views_staff.workdays, name="workday_list"),
    path("desk/items/", views_items.ItemListView.as_view(), name="item_list"),
    path("desk/items/add/", views_items.item_add, name="item_add"),
    path("desk/items/<id:pk>/", views_items.item_detail, name="item"),
    path("desk/items/<id:pk>/edit/", views_items.item_edit, name="item_edit"),
]

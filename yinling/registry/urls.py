from django.urls import path

from yinling.registry import lookups, views, views_accounts, views_duplicates, views_import

app_name = "registry"
urlpatterns = [
    path("", views.RetireeListView.as_view(), name="list"),
    path("add/", views.retiree_edit, name="add"),
    path("moves/", views.transfers, name="transfers"),
    path("lookup/", lookups.retiree_lookup, name="lookup"),
    path("find/", views_duplicates.find, name="find_registration"),
    path("template/", views_import.template, name="template"),
    path("import/", views_import.upload, name="import"),
    path("import/check/", views_import.preview, name="import_preview"),
    path("import/apply/", views_import.confirm, name="import_confirm"),
    path("import/report/", views_import.report, name="import_report"),
    path("import/job/<id:pk>/apply/", views_import.apply_job, name="import_job_apply"),
    path("libraries/save/", views.library_save, name="library_save"),
    path("libraries/<id:pk>/delete/", views.library_delete, name="library_delete"),
    path("<id:pk>/", views.retiree_detail, name="detail"),
    path("<id:pk>/pdf/", views.retiree_pdf, name="pdf"),
    path("<id:pk>/edit/", views.retiree_edit, name="edit"),
    path("<id:pk>/death/", views.retiree_death, name="death"),
    path("<id:pk>/move/", views.retiree_transfer, name="transfer"),
    path("<id:pk>/delete/", views.retiree_delete, name="delete"),
    # Retiree accounts (开通, activation codes) and acting on a retiree's behalf (代办).
    path("<id:pk>/account/code/", views_accounts.account_code, name="account_code"),
    path("<id:pk>/act/", views_accounts.act_start, name="act_start"),
    path("act/stop/", views_accounts.act_stop, name="act_stop"),
]

# Mounted by yinling/urls.py under /accounts/ in the "accounts" namespace (the URL and its name predate the move):
# a retiree's first sign-in, phone number + activation code + a password of their own.
account_urlpatterns = [
    path("activate/", views_accounts.activate, name="activate"),
]

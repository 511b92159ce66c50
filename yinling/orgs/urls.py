from django.urls import path

from yinling.orgs import lookups, views, views_tree

app_name = "orgs"
urlpatterns = [
    path("", views.OrgListView.as_view(), name="list"),
    path("add/", views.OrgEditView.as_view(), name="add"),
    path("_lookup/", lookups.org_lookup, name="lookup"),  # "_": never an org code, so never shadows one
    path("_tree/", views_tree.tree, name="tree"),
    path("_tree/<str:code>/", views_tree.children, name="tree_children"),
    path("<str:code>/", views.OrgDetailView.as_view(), name="detail"),
    path("<str:code>/edit/", views.OrgEditView.as_view(), name="edit"),
    path("<str:code>/delete/", views.OrgDeleteView.as_view(), name="delete"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from yinling.accounts import two_factor, views

# The retiree activation page (/accounts/activate/, name "accounts:activate") belongs to the registry:
# yinling/urls.py mounts registry.urls.account_urlpatterns in this namespace, so accounts imports no registry.
app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("me/", views.profile, name="profile"),
    path("me/tokens/<str:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<id:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<id:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<id:pk>/assign/", views.assign_role, name="assign_role"),
    path("users/<id:pk>/active/", views.set_active, name="set_active"),
    path("users/<id:pk>/unlock/", views.unlock, name="unlock"),
    path("users/<id:pk>/reset-otp/", views.reset_otp, name="reset_otp"),
    path("assignments/<id:pk>/revoke/", views.revoke_role, name="revoke_role"),
]

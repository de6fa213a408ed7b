from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("register", views.RegisterApi.as_view(), name="auth-register"),
    path("token", views.TokenObtainApi.as_view(), name="auth-token"),
    path("token/refresh", views.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("logout", views.LogoutApi.as_view(), name="auth-logout"),
    path("user", views.CurrentUserApi.as_view(), name="auth-user"),
    path("user/timezone", views.TimezoneApi.as_view(), name="auth-user-timezone"),
]

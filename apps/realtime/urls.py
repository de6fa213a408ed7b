from django.urls import path

from apps.realtime import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]

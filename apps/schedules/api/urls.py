from django.urls import path

from apps.schedules.api import views

urlpatterns = [
    path("graphs/<uuid:graph_id>/schedules", views.GraphSchedulesApi.as_view(), name="graph-schedules"),
    path("schedules", views.ScheduleListApi.as_view(), name="schedules"),
    path("schedules/<uuid:schedule_id>", views.ScheduleDeleteApi.as_view(), name="schedule-delete"),
]

from django.urls import path

from apps.files.api import views

urlpatterns = [
    path("files/upload", views.FileUploadApi.as_view(), name="files-upload"),
]

"""Read/write API of the app, mounted under /api/v1/ (config/urls.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from amoa.api import ClassementView

urlpatterns = [
    path(
        "consultations/<int:pk>/classement/",
        login_not_required(ClassementView.as_view()),
        name="api-consultation-classement",
    ),
]

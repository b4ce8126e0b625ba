"""Read/write API of the app, mounted under /api/v1/ (config/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []

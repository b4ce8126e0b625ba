"""API of the calls for projects, mounted under /api/v1/ (config/urls.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from candidatures.api import CandidatureListView

urlpatterns = [
    path(
        "aaps/<int:pk>/candidatures/",
        login_not_required(CandidatureListView.as_view()),
        name="api-aap-candidatures",
    ),
]

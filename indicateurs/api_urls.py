"""Read/write API of the app, mounted under /api/v1/ (config/urls.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from indicateurs.api import GrappeIndicateursView, UsagesView

urlpatterns = [
    path("usages/", login_not_required(UsagesView.as_view()), name="api-usages"),
    path(
        "grappes/<int:pk>/indicateurs/",
        login_not_required(GrappeIndicateursView.as_view()),
        name="api-grappe-indicateurs",
    ),
]

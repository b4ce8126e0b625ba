"""Read API of the app, mounted under /api/v1/ (config/urls.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from finances.api import GrappeFinancesView

urlpatterns = [
    path(
        "grappes/<int:pk>/finances/",
        login_not_required(GrappeFinancesView.as_view()),
        name="api-grappe-finances",
    ),
]

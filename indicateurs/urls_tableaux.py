"""Added to indicateurs/urls.py (namespace "indicateurs")."""

urlpatterns = []

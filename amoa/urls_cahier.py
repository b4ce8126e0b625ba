"""URLs of the cahier des charges builder, added to amoa/urls.py (namespace "amoa")."""

urlpatterns = []

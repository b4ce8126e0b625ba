"""URLs of the cahier des charges builder, added to amoa/urls.py (namespace "amoa")."""

from django.urls import path

from amoa.views import cahier

PREFIX = "grappes/<int:pk>/consultations/<int:consultation_id>/cahier-des-charges/"

urlpatterns = [
    path(PREFIX, cahier.cahier_builder, name="cahier"),
    path(f"{PREFIX}apercu/", cahier.cahier_apercu, name="cahier_apercu"),
    path(f"{PREFIX}cahier-des-charges.pdf", cahier.cahier_pdf, name="cahier_pdf"),
]

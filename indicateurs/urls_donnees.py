"""Added to indicateurs/urls.py (namespace "indicateurs")."""

from django.urls import path

from indicateurs.views import donnees

urlpatterns = [
    path("usages/modele.<str:format>", donnees.modele, name="modele"),
    path("grappes/<int:pk>/usages/", donnees.usages, name="usages"),
    path(
        "grappes/<int:pk>/usages/imports/<int:import_id>/",
        donnees.import_detail,
        name="import_detail",
    ),
    path(
        "grappes/<int:pk>/usages/imports/<int:import_id>/progression/",
        donnees.import_progression,
        name="import_progression",
    ),
    path("grappes/<int:pk>/usages/saisie/", donnees.saisie, name="saisie"),
    path("grappes/<int:pk>/tranches/", donnees.tranches, name="tranches"),
    path(
        "grappes/<int:pk>/tranches/<int:tranche_id>/paiement/",
        donnees.paiement,
        name="paiement",
    ),
]

"""Added to indicateurs/urls.py (namespace "indicateurs"): the dashboards."""

from django.urls import path

from indicateurs.views import tableaux

urlpatterns = [
    path("grappes/<int:pk>/tableau-de-bord/", tableaux.tableau_grappe, name="tableau_grappe"),
    path(
        "grappes/<int:pk>/tableau-de-bord/rapport.pdf",
        tableaux.tableau_grappe_pdf,
        name="tableau_grappe_pdf",
    ),
    path(
        "grappes/<int:pk>/tableau-de-bord/valeurs.csv",
        tableaux.tableau_grappe_csv,
        name="tableau_grappe_csv",
    ),
    path(
        "grappes/<int:pk>/tableau-de-bord/valeurs.xlsx",
        tableaux.tableau_grappe_xlsx,
        name="tableau_grappe_xlsx",
    ),
    path("ars/", tableaux.tableau_ars, name="tableau_ars"),
    path("regions/<str:code>/", tableaux.tableau_region, name="tableau_region"),
    path("regions/<str:code>/rapport.pdf", tableaux.tableau_region_pdf, name="tableau_region_pdf"),
    path("national/", tableaux.tableau_national, name="tableau_national"),
]

"""URLs of the DUI choice, added to amoa/urls.py (namespace "amoa")."""

from django.urls import path

from amoa.views import dui

G = "grappes/<int:pk>/"
C = "grappes/<int:pk>/consultations/<int:consultation_id>/"
CADRE = f"{C}offres/<int:offre_id>/cadre-de-reponse/"

urlpatterns = [
    path(f"{G}grille-fonctionnelle/", dui.grille, name="grille_fonctionnelle"),
    path(f"{G}grille-fonctionnelle/creer/", dui.grille_create, name="grille_create"),
    path(
        f"{G}grille-fonctionnelle/exigences/nouvelle/",
        dui.exigence_form,
        name="exigence_create",
    ),
    path(
        f"{G}grille-fonctionnelle/exigences/<int:exigence_id>/modifier/",
        dui.exigence_form,
        name="exigence_edit",
    ),
    path(
        f"{G}grille-fonctionnelle/exigences/<int:exigence_id>/supprimer/",
        dui.exigence_delete,
        name="exigence_delete",
    ),
    path(f"{G}grille-fonctionnelle/domaines/nouveau/", dui.domaine_create, name="domaine_create"),
    path(f"{G}grille-fonctionnelle/preferences/", dui.preferences, name="preferences"),
    path(f"{G}etude-de-marche/", dui.etude_marche, name="etude_marche"),
    path(f"{G}etude-de-marche/nouvelle/", dui.solution_form, name="solution_create"),
    path(
        f"{G}etude-de-marche/<int:solution_id>/modifier/", dui.solution_form, name="solution_edit"
    ),
    path(
        f"{G}etude-de-marche/<int:solution_id>/supprimer/",
        dui.solution_delete,
        name="solution_delete",
    ),
    path(f"{C}cadre-de-reponse.xlsx", dui.cadre_export, name="cadre_export"),
    path(CADRE, dui.cadre_import, name="cadre_import"),
    path(f"{CADRE}<int:import_id>/", dui.cadre_import_detail, name="cadre_import_detail"),
    path(f"{CADRE}<int:import_id>/appliquer/", dui.cadre_import_apply, name="cadre_import_apply"),
    path(f"{C}couverture/", dui.couverture, name="couverture"),
    path(f"{C}cout-total/", dui.cout_total, name="cout_total"),
    path(f"{C}rapport-de-choix.pdf", dui.rapport_choix, name="rapport_choix"),
]

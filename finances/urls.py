from django.urls import path

from finances import views

app_name = "finances"

urlpatterns = [
    path("grappes/<int:pk>/", views.finances_grappe, name="grappe"),
    path("grappes/<int:pk>/bilan.pdf", views.bilan_pdf, name="bilan_pdf"),
    path("grappes/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("grappes/<int:pk>/repartition/cle/", views.cle_repartition, name="cle_repartition"),
    path(
        "grappes/<int:pk>/repartition/reversements/nouveau/",
        views.reversement_form,
        name="reversement_create",
    ),
    path(
        "grappes/<int:pk>/financements-propres/",
        views.financements_propres,
        name="financements_propres",
    ),
    path(
        "grappes/<int:pk>/repartition/reversements/<int:reversement_id>/supprimer/",
        views.reversement_supprimer,
        name="reversement_delete",
    ),
    path("grappes/<int:pk>/factures/import/", views.import_factures, name="import_factures"),
    path(
        "grappes/<int:pk>/factures/import/modele.xlsx",
        views.import_factures_modele,
        name="import_factures_modele",
    ),
    path(
        "grappes/<int:pk>/factures/import/<int:import_id>/",
        views.import_factures_detail,
        name="import_factures_detail",
    ),
    path("grappes/<int:pk>/engagements/nouveau/", views.engagement_form, name="engagement_create"),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/",
        views.engagement_detail,
        name="engagement",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/modifier/",
        views.engagement_form,
        name="engagement_edit",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/supprimer/",
        views.engagement_supprimer,
        name="engagement_delete",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/document/",
        views.engagement_document,
        name="engagement_document",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/factures/nouvelle/",
        views.facture_form,
        name="facture_create",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/factures/<int:facture_id>/modifier/",
        views.facture_form,
        name="facture_edit",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/factures/<int:facture_id>/supprimer/",
        views.facture_supprimer,
        name="facture_delete",
    ),
    path(
        "grappes/<int:pk>/engagements/<int:engagement_id>/factures/<int:facture_id>/fichier/",
        views.facture_fichier,
        name="facture_fichier",
    ),
]

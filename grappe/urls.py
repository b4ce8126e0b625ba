from django.urls import path

from grappe.views import adhesions, comites, convention, esms, grappes, registre, roles

app_name = "grappe"

urlpatterns = [
    path("", grappes.grappe_list, name="list"),
    path("nouvelle/", grappes.grappe_create, name="create"),
    path("<int:pk>/", grappes.grappe_detail, name="detail"),
    path("<int:pk>/modifier/", grappes.grappe_edit, name="edit"),
    path("<int:pk>/historique/", grappes.grappe_history, name="history"),
    path("<int:pk>/fiche.pdf", grappes.grappe_fiche_pdf, name="fiche_pdf"),
    # ESMS and OG of the grappe
    path("<int:pk>/esms/ajouter/", esms.esms_add, name="esms_add"),
    path("<int:pk>/esms/recherche/", esms.esms_lookup, name="esms_lookup"),
    path("<int:pk>/esms/<int:membership_id>/modifier/", esms.esms_edit, name="esms_edit"),
    path("<int:pk>/esms/<int:membership_id>/retirer/", esms.esms_remove, name="esms_remove"),
    path("<int:pk>/og/<int:og_membership_id>/retirer/", esms.og_remove, name="og_remove"),
    # People
    path("<int:pk>/roles/", roles.role_list, name="roles"),
    path("<int:pk>/roles/<int:role_id>/retirer/", roles.role_remove, name="role_remove"),
    path("<int:pk>/comites/<str:kind>/", comites.comite_detail, name="comite"),
    path(
        "<int:pk>/comites/<str:kind>/membres/<int:member_id>/retirer/",
        comites.comite_member_remove,
        name="comite_member_remove",
    ),
    # Cooperation agreement
    path("<int:pk>/convention/", convention.convention_edit, name="convention"),
    path("<int:pk>/convention.pdf", convention.convention_pdf, name="convention_pdf"),
    # An OG's agreement to its ESMS joining a grappe
    path("adhesions/", adhesions.join_request_list, name="adhesions"),
    path(
        "adhesions/<int:request_id>/decision/",
        adhesions.join_request_decide,
        name="adhesion_decide",
    ),
    # FINESS registry
    path("registre/", registre.registre, name="registre"),
    path("registre/import/", registre.finess_import, name="finess_import"),
    path(
        "registre/import/<int:import_id>/",
        registre.finess_import_detail,
        name="finess_import_detail",
    ),
]

from django.urls import path

from amoa import urls_cahier, urls_dui
from amoa.views import classement, consultations, evaluation, offres

app_name = "amoa"

C = "grappes/<int:pk>/consultations/<int:consultation_id>/"

urlpatterns = [
    path("grappes/<int:pk>/consultations/", consultations.consultation_list, name="consultations"),
    path(
        "grappes/<int:pk>/consultations/nouvelle/",
        consultations.consultation_create,
        name="consultation_create",
    ),
    path(C, consultations.consultation_detail, name="consultation"),
    path(f"{C}modifier/", consultations.consultation_edit, name="consultation_edit"),
    path(f"{C}criteres/", consultations.criteres, name="criteres"),
    path(f"{C}offres/nouvelle/", offres.offre_form, name="offre_create"),
    path(f"{C}offres/<int:offre_id>/", offres.offre_detail, name="offre"),
    path(f"{C}offres/<int:offre_id>/modifier/", offres.offre_form, name="offre_edit"),
    path(
        f"{C}offres/<int:offre_id>/pieces/<int:piece_id>/fichier/",
        offres.piece_download,
        name="piece_download",
    ),
    path(
        f"{C}offres/<int:offre_id>/pieces/<int:piece_id>/supprimer/",
        offres.piece_delete,
        name="piece_delete",
    ),
    path(f"{C}offres/<int:offre_id>/indispensables/", offres.indispensable, name="indispensable"),
    path(f"{C}evaluation/", evaluation.evaluation, name="evaluation"),
    path(f"{C}evaluation/conflits/", evaluation.conflit, name="conflit"),
    path(f"{C}evaluation/rouvrir/", evaluation.reopen_grid, name="evaluation_reopen"),
    path(f"{C}consolidation/", evaluation.consolidation, name="consolidation"),
    path(f"{C}consolidation/consensus/", evaluation.consensus, name="consensus"),
    path(f"{C}auditions/", evaluation.auditions, name="auditions"),
    path(f"{C}auditions/<int:audition_id>/", evaluation.auditions, name="audition_edit"),
    path(f"{C}classement/", classement.classement, name="classement"),
    path(f"{C}grille-analyse.xlsx", classement.grille, name="grille"),
    path(f"{C}rapport-analyse.pdf", classement.rapport, name="rapport"),
    path(f"{C}lettres/<int:offre_id>.pdf", classement.lettre, name="lettre"),
    path(f"{C}choix/role-amoa/", classement.roles_amoa, name="roles_amoa"),
    path(f"{C}rouvrir/", classement.consultation_reopen, name="consultation_reopen"),
]

# The cahier des charges builder's pages (amoa/views/cahier.py).
urlpatterns += urls_cahier.urlpatterns

# The DUI choice's pages (amoa/views/dui.py).
urlpatterns += urls_dui.urlpatterns

from django.urls import path

from candidatures.views import campagnes, convention, dossier

app_name = "candidatures"

urlpatterns = [
    path("", campagnes.campagne_list, name="campagnes"),
    path("ouvrir/", campagnes.campagne_create, name="campagne_create"),
    path("<int:pk>/", campagnes.campagne_detail, name="campagne"),
    path("<int:pk>/modifier/", campagnes.campagne_edit, name="campagne_edit"),
    path("<int:pk>/criteres/", campagnes.criteres_edit, name="criteres"),
    path("grappes/<int:pk>/candidature/", dossier.candidature, name="candidature"),
    path(
        "grappes/<int:pk>/candidature/rediger/",
        dossier.candidature_sections,
        name="candidature_sections",
    ),
    path("grappes/<int:pk>/candidature/pieces/", dossier.piece_upload, name="piece_upload"),
    path(
        "grappes/<int:pk>/candidature/pieces/<int:piece_id>/",
        dossier.piece_download,
        name="piece_download",
    ),
    path("grappes/<int:pk>/candidature/deposer/", dossier.candidature_deposer, name="deposer"),
    path(
        "grappes/<int:pk>/candidature/accuse/<int:numero>/",
        dossier.accuse_download,
        name="accuse",
    ),
    path("grappes/<int:pk>/candidature/derogation/", dossier.derogation, name="derogation"),
    path("grappes/<int:pk>/candidature/engagement/", dossier.engagement, name="engagement"),
]

# Instruction (ARS)
from candidatures.views import instruction  # noqa: E402

DOSSIER = "<int:pk>/dossiers/<int:candidature_id>/"
urlpatterns += [
    path("<int:pk>/instructeurs/", instruction.instructeurs, name="instructeurs"),
    path(DOSSIER, instruction.grille, name="instruction"),
    path(f"{DOSSIER}conflit/", instruction.conflit, name="conflit"),
    path(f"{DOSSIER}consensus/", instruction.consensus, name="consensus"),
    path(f"{DOSSIER}pieces/", instruction.demande_pieces, name="demande_pieces"),
    path(f"{DOSSIER}decision/", instruction.decision, name="decision"),
    path(f"{DOSSIER}decision.pdf", instruction.lettre_decision, name="lettre_decision"),
]

# Convention de financement
urlpatterns += [
    path(f"{DOSSIER}convention/", convention.convention, name="convention"),
    path(f"{DOSSIER}convention/signer/", convention.convention_signer, name="convention_signer"),
    path(f"{DOSSIER}convention.pdf", convention.convention_pdf, name="convention_pdf"),
]

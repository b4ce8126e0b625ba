from django.urls import path

from projets.views import comptes_rendus, livrables, plan, reunions, suivi

app_name = "projets"

urlpatterns = [
    # Reference plan guide (read-only for everybody signed in)
    path("plan-type/", plan.reference_guide, name="reference_guide"),
    path("plan-type/etapes/<int:numero>/", plan.reference_etape, name="reference_etape"),
    # A grappe's plan
    path("grappes/<int:pk>/plan/", plan.plan_detail, name="plan"),
    path("grappes/<int:pk>/plan/creer/", plan.plan_create, name="plan_create"),
    path("grappes/<int:pk>/plan/etapes/ajouter/", plan.etape_add, name="etape_add"),
    path("grappes/<int:pk>/plan/etapes/<int:etape_id>/", plan.etape_detail, name="etape"),
    path(
        "grappes/<int:pk>/plan/etapes/<int:etape_id>/modifier/", plan.etape_edit, name="etape_edit"
    ),
    path(
        "grappes/<int:pk>/plan/jalons/<int:jalon_id>/decision/",
        plan.jalon_decision,
        name="jalon_decision",
    ),
    path(
        "grappes/<int:pk>/plan/mise-en-service/",
        plan.mise_en_service_edit,
        name="mise_en_service",
    ),
    # Deliverables and validation
    path("grappes/<int:pk>/livrables/", livrables.livrable_list, name="livrables"),
    path(
        "grappes/<int:pk>/livrables/<int:livrable_id>/", livrables.livrable_detail, name="livrable"
    ),
    path(
        "grappes/<int:pk>/livrables/<int:livrable_id>/versions/<int:version_id>/fichier/",
        livrables.version_download,
        name="version_download",
    ),
    path(
        "grappes/<int:pk>/livrables/<int:livrable_id>/versions/<int:version_id>/soumettre/",
        livrables.version_submit,
        name="version_submit",
    ),
    path(
        "grappes/<int:pk>/livrables/<int:livrable_id>/versions/<int:version_id>/avis/",
        livrables.version_avis,
        name="version_avis",
    ),
    path("a-valider/", livrables.inbox, name="inbox"),
    # Follow-up: timeline, baselines, risks, progress report
    path("grappes/<int:pk>/planning/", suivi.timeline, name="timeline"),
    path("grappes/<int:pk>/planning/references/", suivi.baseline_create, name="baseline_create"),
    path("grappes/<int:pk>/risques/", suivi.risque_list, name="risques"),
    path("grappes/<int:pk>/risques/ajouter/", suivi.risque_create, name="risque_create"),
    path("grappes/<int:pk>/risques/<int:risque_id>/", suivi.risque_edit, name="risque_edit"),
    path("grappes/<int:pk>/rapport/", suivi.rapport, name="rapport"),
    path("grappes/<int:pk>/rapport.pdf", suivi.rapport_pdf, name="rapport_pdf"),
    # Governance meetings
    path("grappes/<int:pk>/reunions/", reunions.reunion_list, name="reunions"),
    path("grappes/<int:pk>/reunions/nouvelle/", reunions.reunion_create, name="reunion_create"),
    path("grappes/<int:pk>/reunions/<int:reunion_id>/", reunions.reunion_detail, name="reunion"),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/modifier/",
        reunions.reunion_edit,
        name="reunion_edit",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/inviter/",
        reunions.reunion_invite,
        name="reunion_invite",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/invitation.ics",
        reunions.reunion_ics,
        name="reunion_ics",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/presences/",
        reunions.reunion_attendance,
        name="reunion_attendance",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/documents/<int:document_id>/",
        reunions.reunion_document_download,
        name="reunion_document",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/decisions/",
        reunions.decision_add,
        name="decision_add",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/actions/",
        reunions.action_add,
        name="action_add",
    ),
    path("grappes/<int:pk>/actions/<int:action_id>/", reunions.action_update, name="action_update"),
    path("mes-actions/", reunions.my_actions, name="my_actions"),
    path("agenda/<str:token>.ics", reunions.calendar_feed, name="calendar_feed"),
    path("agenda/renouveler/", reunions.calendar_feed_reset, name="calendar_feed_reset"),
    # Minutes
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/",
        comptes_rendus.compte_rendu_create,
        name="compte_rendu_create",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/",
        comptes_rendus.compte_rendu_detail,
        name="compte_rendu",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/modifier/",
        comptes_rendus.compte_rendu_edit,
        name="compte_rendu_edit",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/soumettre/",
        comptes_rendus.compte_rendu_submit,
        name="compte_rendu_submit",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/avis/",
        comptes_rendus.compte_rendu_avis,
        name="compte_rendu_avis",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/compte-rendu.pdf",
        comptes_rendus.compte_rendu_pdf,
        name="compte_rendu_pdf",
    ),
    path(
        "grappes/<int:pk>/reunions/<int:reunion_id>/compte-rendu/<int:cr_id>/nouvelle-version/",
        comptes_rendus.compte_rendu_new_version,
        name="compte_rendu_new_version",
    ),
    path("grappes/<int:pk>/bibliotheque/", comptes_rendus.bibliotheque, name="bibliotheque"),
]

from django.urls import path

from projets.views import livrables, plan, suivi

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
]

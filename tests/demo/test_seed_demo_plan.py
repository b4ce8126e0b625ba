"""The project plan of the demo tells a coherent story (issue 21): no deliverable the COPIL does
not validate waits for its decision, a finished step has its deliverables deposited, and what
waits for the COPIL reaches its voters' « À valider »."""

import pytest

from grappe.demo import GRAPPE_NAME
from projets.enums import StatutEtape, StatutVersion
from projets.models import LivrableVersion, Plan
from projets.validation import awaiting_count, copil_rule
from users.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_coherent():
    plan = Plan.objects.select_related("grappe").get(grappe__name=GRAPPE_NAME)
    versions = LivrableVersion.objects.filter(livrable__plan=plan)
    assert not versions.filter(livrable__validation_copil=False).exclude(
        status=StatutVersion.DEPOSEE
    )
    finished = [
        etape
        for etape in plan.etapes.with_missing_deliverables()
        if etape.status() == StatutEtape.TERMINEE
    ]
    assert len(finished) == 10  # issue 16: the auditions (step 10) are done
    assert [
        (etape.ordre, etape.livrables_attendus) for etape in finished if etape.status_note()
    ] == []
    # Issue 16: the support of COPIL n° 4 and the rapport de choix wait for the COPIL.
    waiting = versions.get(status=StatutVersion.SOUMISE, livrable__reference__code="rapport_choix")
    assert versions.filter(status=StatutVersion.SOUMISE).count() == 2
    assert waiting.livrable.validation_copil
    rule = copil_rule(plan.grappe).for_document(waiting)
    assert rule.voters == 4 and not rule.authors  # the AMOA, who submitted it, does not vote
    voter = User.objects.get(email="directrice.ternois@demo.grappe.fr")
    assert rule.may_decide(voter)
    # The rapport de choix, the support of COPIL n° 4, and that COPIL's minutes (issue 16).
    assert awaiting_count(voter) == 3

"""Each coopérateur OG's engagement on the grappe's dossier (issue 14), on the collegial-approval
engine: its direction approves in the product, all OGs must approve before the filing, a change
after an approval asks again; the « À valider » inbox lists the dossiers waiting."""

import pytest
import time_machine
from django.urls import reverse

from approbations.models import Avis
from candidatures import engagements
from candidatures.models import Candidature
from grappe.enums import FonctionOg
from grappe.models import HistoryEntry, OgPerson
from projets.reminders import send_daily_reminders
from tests.candidatures.factories import campagne_for, paris
from tests.grappe.factories import OrganismeGestionnaireFactory, UserFactory, add_esms
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(paris(2026, 6, 15, 10), tick=False):
        yield


@pytest.fixture
def setup(cast):
    """The cast's grappe on an open call, with a second coopérateur OG; one direction each."""
    campagne = campagne_for(cast.grappe.region)
    cast.grappe.aap = campagne.aap
    cast.grappe.save(update_fields=["aap"])
    other_og = OrganismeGestionnaireFactory(raison_sociale="APF FRANCE HANDICAP")
    add_esms(cast.grappe, 2, og=other_og)
    porteur_direction = UserFactory(email="dg-porteur@exemple.fr", first_name="Anne")
    other_direction = UserFactory(email="dg-apf@exemple.fr", first_name="Bruno")
    OgPerson.objects.create(
        og=cast.grappe.porteur, user=porteur_direction, fonction=FonctionOg.DIRECTION
    )
    OgPerson.objects.create(og=other_og, user=other_direction, fonction=FonctionOg.DIRECTION)
    dossier = Candidature.objects.create(campagne=campagne, grappe=cast.grappe)
    return dossier, porteur_direction, other_direction, other_og


def page(client, cast):
    return client.get(reverse("candidatures:candidature", args=[cast.grappe.pk]))


def engage(client, cast, decision="approuve", comment=""):
    return client.post(
        reverse("candidatures:engagement", args=[cast.grappe.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def point(client, cast):
    return {p.code: p for p in page(client, cast).context["points"]}["engagements"]


def test_every_og_approves_before_the_filing(
    cast, client_for, setup, mailoutbox, django_capture_on_commit_callbacks
):
    dossier, first, second, other_og = setup
    owner = client_for(cast.owner)
    pending = point(owner, cast)
    assert not pending.ok
    assert sorted(pending.items) == sorted(
        [
            f"APF FRANCE HANDICAP : en attente de sa direction ({second.get_full_name()})",
            f"{cast.grappe.porteur} : en attente de sa direction ({first.get_full_name()})",
        ]
    )
    # A direction without any role in the grappe sees the dossier and commits its OG.
    direction = client_for(first)
    seen = text(page(direction, cast))
    assert "Engager mon organisme" in seen
    assert f'href="{cast.grappe.get_absolute_url()}"' not in seen  # a page it could not open
    assert "Votre organisme s'engage sur le dossier." in text(engage(direction, cast))
    assert not point(owner, cast).ok
    with django_capture_on_commit_callbacks(execute=True):
        engage(client_for(second), cast)
    assert point(owner, cast).ok
    avis = Avis.objects.for_document(dossier, 1).order_by("pk")
    assert [a.siege for a in avis] == [f"og:{cast.grappe.porteur.pk}", f"og:{other_og.pk}"]
    assert [m.subject for m in mailoutbox] == [
        f"Tous les organismes s'engagent : candidature de {cast.grappe}"
    ]
    assert mailoutbox[0].to == [cast.owner.email]
    assert (
        HistoryEntry.objects.filter(
            grappe=cast.grappe, action="Engagement de l'organisme sur le dossier de candidature"
        ).count()
        == 2
    )


def test_a_change_after_approval_asks_again(cast, client_for, setup):
    dossier, first, second, _ = setup
    engage(client_for(first), cast)
    engage(client_for(second), cast)
    owner = client_for(cast.owner)
    assert point(owner, cast).ok
    owner.post(
        reverse("candidatures:candidature_sections", args=[cast.grappe.pk]),
        {"projet_commun": "Un DUI commun, réécrit."},
    )
    dossier.refresh_from_db()
    assert dossier.tour == 2
    assert not point(owner, cast).ok
    assert HistoryEntry.objects.filter(
        action__startswith="Dossier de candidature modifié après l'engagement des OG"
    ).exists()
    # The first round's answers stay as the trail.
    assert Avis.objects.for_document(dossier, 1).count() == 2
    assert engagements.awaiting(first).get() == dossier
    engage(client_for(first), cast)
    engage(client_for(second), cast)
    assert point(owner, cast).ok and Avis.objects.for_document(dossier, 2).count() == 2


def test_a_change_of_composition_outdates_the_approvals_until_they_are_given_again(
    cast, client_for, setup
):
    dossier, first, second, other_og = setup
    engage(client_for(first), cast)
    engage(client_for(second), cast)
    add_esms(cast.grappe, 1, og=other_og)  # in the registry app, which knows nothing of calls
    response = page(client_for(cast.owner), cast)
    assert "Le dossier a changé depuis les approbations" in text(response)
    assert not {p.code: p for p in response.context["points"]}["engagements"].ok


def test_one_vote_per_og_and_only_its_direction(cast, client_for, setup):
    dossier, first, second, _ = setup
    deputy = UserFactory(email="dga-porteur@exemple.fr")
    OgPerson.objects.create(og=cast.grappe.porteur, user=deputy, fonction=FonctionOg.DIRECTION)
    engage(client_for(first), cast)
    refused = engage(client_for(deputy), cast)
    assert "Une autre personne de la direction de votre organisme s'est déjà prononcée" in text(
        refused
    )
    # The chef de projet does not commit an OG; a stranger does not even see the dossier.
    url = reverse("candidatures:engagement", args=[cast.grappe.pk])
    assert client_for(cast.owner).post(url, {"decision": "approuve"}).status_code == 403
    assert client_for(cast.stranger).post(url, {"decision": "approuve"}).status_code == 404
    assert Avis.objects.for_document(dossier).count() == 1


def test_declining_needs_a_reason_and_shows(cast, client_for, setup):
    _, first, second, _ = setup
    refused = engage(client_for(second), cast, "rejette")
    assert "le commentaire est obligatoire" in text(refused)
    engage(client_for(second), cast, "rejette", "Le budget ne couvre pas nos 2 ESMS.")
    item = [i for i in point(client_for(cast.owner), cast).items if "APF" in i]
    assert item == ["APF FRANCE HANDICAP : ne s'engage pas — Le budget ne couvre pas nos 2 ESMS."]
    assert "Avis inconnu." in text(engage(client_for(first), cast, "peut-etre"))


def test_an_og_without_a_direction_is_named(cast, client_for, setup):
    _, first, second, other_og = setup
    OgPerson.objects.filter(og=other_og).delete()
    engage(client_for(first), cast)
    pending = point(client_for(cast.owner), cast)
    assert not pending.ok
    assert (
        "APF FRANCE HANDICAP : aucune direction déclarée (l'administration nationale la déclare)"
        in pending.items
    )


def test_the_inbox_lists_the_dossier_for_the_directions(cast, client_for, setup):
    dossier, first, second, _ = setup
    client = client_for(first)
    home = text(client.get(reverse("projets:inbox")))
    assert "Engagement sur la candidature" in home
    assert "À valider" in home
    engage(client, cast)
    assert "Engagement sur la candidature" not in text(client.get(reverse("projets:inbox")))
    assert list(engagements.awaiting(second)) == [dossier]
    dossier.statut = "deposee"
    dossier.save()
    assert not engagements.awaiting(second).exists()


def test_the_directions_are_reminded_a_week_before_the_closing_once_per_round(
    cast, client_for, setup, mailoutbox
):
    dossier, first, second, _ = setup
    engage(client_for(first), cast)
    with time_machine.travel(paris(2026, 10, 20, 8), tick=False):  # closing 30/10 12:00
        assert send_daily_reminders()["engagement"] == 0
    with time_machine.travel(paris(2026, 10, 23, 8), tick=False):
        counts = send_daily_reminders()
        again = send_daily_reminders()
    assert (counts["engagement"], again["engagement"]) == (1, 0)
    (message,) = [m for m in mailoutbox if "engagé" in m.subject]
    assert message.to == [second.email]
    assert f"Grappe « {cast.grappe.name} »" in message.body
    assert "clôture le 30 octobre 2026 à 12:00 (heure de Paris)" in message.body

"""The AMOA cahier des charges builder: registry context, checklists, missing data, preview, PDF."""

import datetime

import pytest
import time_machine
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from amoa import cahier as builder
from amoa.enums import TypeCritere
from amoa.forms.cahier import CahierForm
from amoa.models import Consultation, Critere
from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, HistoryEntry
from tests.grappe.factories import (
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
)
from tests.helpers import EDIT, READ, check, pdf_text, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def url(name, consultation):
    return reverse(f"amoa:{name}", args=[consultation.grappe_id, consultation.pk])


def form_data(consultation, **overrides):
    """What the browser posts for the builder as it is displayed (checkboxes ticked = "on")."""
    form = CahierForm(instance=consultation)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if value is None:
            continue
        data[name] = field.widget.format_value(value) if hasattr(value, "strftime") else value
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def consultation(cast):
    return Consultation.objects.create(
        grappe=cast.grappe,
        titre="Assistance à maîtrise d'ouvrage DUI",
        missions=["marche", "projet"],
        created_by=cast.owner,
    )


def complete(consultation, selection_user=None):
    """Fill every piece of data the cahier needs."""
    grappe = consultation.grappe
    grappe.origines = "Les ESMS coopèrent déjà au sein d'un GCSMS depuis 2019."
    grappe.save()
    selection = Comite.objects.get(grappe=grappe, kind=TypeComite.SELECTION)
    ComiteMember.objects.get_or_create(
        comite=selection,
        user=selection_user or UserFactory(first_name="Jeanne", last_name="Sélection"),
        defaults={"role": RoleComite.PRESIDENT, "og": grappe.porteur},
    )
    if not Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL).members.exists():
        ComiteMember.objects.create(
            comite=Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL),
            user=UserFactory(),
        )
    consultation.offres_avant = timezone.make_aware(datetime.datetime(2026, 7, 10, 12, 0))
    consultation.questions_avant = datetime.date(2026, 7, 3)
    consultation.auditions_du = datetime.date(2026, 7, 20)
    consultation.contact_nom = "Claire Martin"
    consultation.contact_email = "amoa@grappe.example.fr"
    consultation.contact_telephone = "03 20 00 00 00"
    consultation.cahier = {
        "auditions_heure": "09:30",
        "auditions_lieu": "au siège du porteur, 1 rue de la Gare à Lille",
    }
    consultation.save()
    consultation.ensure_default_criteres()
    return consultation


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["cahier", "cahier_apercu", "cahier_pdf"])
def test_read_views_follow_can_view_consultation(cast, client_for, consultation, view):
    complete(consultation)
    for name, user in cast.users().items():
        response = client_for(user).get(url(view, consultation))
        check(response, f"{view} {name}", READ[name])
        if view == "cahier_pdf" and READ[name] == 200:
            assert response["Content-Type"] == "application/pdf"


def test_saving_is_for_editors(cast, client_for, consultation):
    for name, user in cast.users().items():
        data = form_data(consultation, origines=f"Origines écrites par {name}")
        response = client_for(user).post(url("cahier", consultation), data)
        expected = 302 if EDIT[name] == 200 else EDIT[name]
        check(response, name, expected)
    consultation.refresh_from_db()
    # The last editor in the cast's order is the admin.
    assert consultation.cahier["origines"] == "Origines écrites par admin"


def test_amoa_consultant_does_not_see_the_cahier(cast, client_for, consultation):
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    for view in ("cahier", "cahier_apercu", "cahier_pdf"):
        assert client_for(consultant).get(url(view, consultation)).status_code == 403
    assert client_for(consultant).post(url("cahier", consultation), {}).status_code == 403


def test_consultation_of_another_grappe_is_404(cast, client_for):
    other = Consultation.objects.create(
        grappe=cast.other_grappe, titre="Ailleurs", missions=["marche"]
    )
    wrong = reverse("amoa:cahier", args=[cast.grappe.pk, other.pk])
    assert client_for(cast.owner).get(wrong).status_code == 404


def test_readers_see_the_builder_read_only(cast, client_for, consultation):
    page = text(client_for(cast.member).get(url("cahier", consultation)))
    assert "seuls le chef de projet" in page
    assert "Enregistrer</button>" not in page
    assert "disabled" in page


# ---------------------------------------------------------------------------------------------
# The grappe's context, from the registry
# ---------------------------------------------------------------------------------------------


def test_context_tables_come_from_the_registry(cast, client_for, consultation):
    grappe = cast.grappe
    second = OrganismeGestionnaireFactory(raison_sociale="APEI DU TERNOIS")
    (ime,) = add_esms(
        grappe,
        1,
        og=second,
        raison_sociale="IME LES PEUPLIERS",
        code_postal="62130",
        commune="SAINT-POL-SUR-TERNOISE",
    )
    page = text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    og_table = page.split('data-testid="cdc-og"')[1].split("</table>")[0]
    assert grappe.porteur.finess_ej in og_table
    assert f"{grappe.porteur.name} (porteur)" in og_table
    assert "APEI DU TERNOIS" in og_table and second.finess_ej in og_table
    esms_table = page.split('data-testid="cdc-esms"')[1].split("</table>")[0]
    for membership in grappe.memberships.filter(left_on__isnull=True).select_related("esms"):
        assert membership.esms.finess_et in esms_table
    assert (
        "<td>IME LES PEUPLIERS</td><td>"
        + ime.finess_et
        + "</td><td>62130</td><td>SAINT-POL-SUR-TERNOISE</td>"
        in esms_table
    )
    # An ESMS that left the grappe is not in the table.
    grappe.memberships.filter(esms=ime).update(left_on=datetime.date(2026, 6, 1))
    page = text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    assert ime.finess_et not in page


def test_mono_and_multi_og_wording(cast, consultation):
    context = builder.grappe_context(cast.grappe)
    phrase = builder.composition_phrase(context)
    assert "grappe mono-OG" in phrase
    assert "3 établissements et services" in phrase
    assert cast.grappe.porteur.finess_ej in phrase
    add_esms(cast.grappe, 2, og=OrganismeGestionnaireFactory())
    context = builder.grappe_context(cast.grappe)
    phrase = builder.composition_phrase(context)
    assert "grappe multi-OG" in phrase
    assert "2 organismes gestionnaires coopérateurs et 5 établissements" in phrase
    assert "coopérateur et signataire" in builder.porteur_phrase(context)


def test_activity_types_and_governance(cast, client_for, consultation):
    complete(consultation)
    page = text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    assert "personnes âgées (3 ESMS)" in page
    assert "Etablissement d'hébergement pour personnes âgées dépendantes" in page
    assert "Comité de pilotage (COPIL)" in page
    assert cast.copil.get_full_name() in page
    assert f"Chef de projet interne : {cast.owner.get_full_name()}" in page
    selection = page.split('data-testid="cdc-selection"')[1].split("</section>")[0]
    assert "composé du membre suivant" in selection
    assert "Jeanne Sélection (président," in selection


# ---------------------------------------------------------------------------------------------
# Checklists
# ---------------------------------------------------------------------------------------------


def test_empty_cahier_keeps_every_seed_item(consultation):
    choices = builder.stored(consultation)
    items = builder.resolved_items(builder.PERIMETRE_MARCHE, choices)
    labels = [row["label"] for row in items]
    assert labels[0] == "Accompagnement au remplissage du dossier de consultation"
    assert len(items) == len(builder.PERIMETRE_MARCHE.items)
    assert (
        "Organisation et animation d'ateliers de relecture pour validation des pièces"
        in items[0]["children"]
    )
    assert len(builder.resolved_items(builder.PERIMETRE_PROJET, choices)) == 9


def test_checklist_keep_remove_add_round_trip(cast, client_for, consultation):
    client = client_for(cast.owner)
    data = form_data(
        consultation,
        garder_m_execution=None,  # untick "Suivi de l'exécution du marché"
        garder_m_dossier_sad=None,  # untick a sub-item
        ajouts_perimetre_marche="Rédaction du bilan de la procédure\n\n- Rédaction du bilan de la procédure",
        ajouts_m_dossier="Relecture juridique par le service achats du porteur",
        ajouts_livrables="le registre des décisions du COPIL",
        nb_ateliers="3",
    )
    response = client.post(url("cahier", consultation), data)
    assert response.status_code == 302
    assert response["Location"] == url("cahier_apercu", consultation)
    consultation.refresh_from_db()
    assert set(consultation.cahier["retires"]) == {"m_execution", "m_dossier_sad"}
    assert consultation.cahier["ajouts"] == {
        "livrables": ["le registre des décisions du COPIL"],
        "m_dossier": ["Relecture juridique par le service achats du porteur"],
        "perimetre_marche": ["Rédaction du bilan de la procédure"],
    }
    entry = HistoryEntry.objects.get(action="Modification du cahier des charges AMOA")
    assert entry.user == cast.owner
    assert "Suivi de l'exécution du marché" in entry.changes["Éléments retirés"]
    assert "Rédaction du bilan de la procédure" in entry.changes["Éléments ajoutés"]
    assert entry.changes["Nombre d'ateliers de relecture"] == ["", "3"]

    # The builder shows the choices back.
    form = client.get(url("cahier", consultation)).context["form"]
    assert form["garder_m_execution"].value() is False
    assert form["garder_m_auditions"].value() is True
    assert (
        form["ajouts_m_dossier"].value() == "Relecture juridique par le service achats du porteur"
    )

    # The document follows them.
    page = text(client.get(url("cahier_apercu", consultation)))
    marche = page.split('data-testid="cdc-mission-marche"')[1].split("</section>")[0]
    assert "Suivi de l'exécution du marché" not in marche
    assert "Présentation du fonctionnement du système d'acquisition dynamique" not in marche
    assert "Rédaction du bilan de la procédure" in marche
    assert marche.count("Rédaction du bilan de la procédure") == 1
    assert "Relecture juridique par le service achats du porteur" in marche
    assert "Organisation et animation de 3 ateliers de relecture" in marche
    assert "le registre des décisions du COPIL" in page

    # Ticking again restores the item; clearing the text area removes the addition.
    data = form_data(consultation, garder_m_execution="on", ajouts_perimetre_marche="")
    client.post(url("cahier", consultation), data)
    consultation.refresh_from_db()
    assert consultation.cahier["retires"] == ["m_dossier_sad"]
    assert "perimetre_marche" not in consultation.cahier["ajouts"]
    assert (
        "Suivi de l'exécution du marché"
        in HistoryEntry.objects.first().changes["Éléments rétablis"]
    )


def test_saving_without_change_records_nothing(cast, client_for, consultation):
    response = client_for(cast.owner).post(url("cahier", consultation), form_data(consultation))
    assert response.status_code == 302
    assert not HistoryEntry.objects.filter(action__contains="cahier").exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Aucune modification."]


def test_only_the_chosen_missions_are_in_the_cahier(cast, client_for, consultation):
    consultation.missions = ["projet"]
    consultation.save()
    client = client_for(cast.owner)
    page = text(client.get(url("cahier_apercu", consultation)))
    assert 'data-testid="cdc-mission-projet"' in page
    assert 'data-testid="cdc-mission-marche"' not in page
    assert "2. Définition du périmètre de la mission « projet »" in page
    assert "3. Livrables attendus" in page
    form = client.get(url("cahier", consultation)).context["form"]
    assert "garder_m_execution" not in form.fields
    assert "nb_ateliers" not in form.fields
    # Items of a mission not shown keep their stored state when the page is saved.
    consultation.cahier = {"retires": ["m_execution"]}
    consultation.save()
    client.post(url("cahier", consultation), form_data(consultation, garder_p_sourcing=None))
    consultation.refresh_from_db()
    assert "m_execution" in consultation.cahier["retires"]


def test_audition_dates_are_checked(cast, client_for, consultation):
    data = form_data(
        consultation,
        offres_avant="2026-07-10T12:00",
        auditions_du="2026-07-01",
    )
    response = client_for(cast.owner).post(url("cahier", consultation), data)
    assert response.status_code == 200
    assert "Les auditions ont lieu après la date limite" in text(response)


# ---------------------------------------------------------------------------------------------
# Missing data, preview and PDF
# ---------------------------------------------------------------------------------------------


def test_missing_data_is_listed_with_links(cast, client_for, consultation):
    grappe = cast.grappe
    grappe.porteur = None
    grappe.save()
    Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL).members.all().delete()
    response = client_for(cast.owner).get(url("cahier_apercu", consultation))
    messages = [item.message for item in response.context["missing"]]
    assert messages == [
        "Porteur non désigné",
        "Origines du projet non renseignées",
        "Aucun membre au comité de pilotage (COPIL)",
        "Aucun membre au comité de sélection",
        "Date limite de remise des offres non renseignée",
        "Date des auditions non renseignée",
        "Heure des auditions non renseignée",
        "Lieu des auditions non renseigné",
        "Interlocuteur de la consultation (nom) non renseigné",
        "Adresse e-mail de remise des offres non renseignée",
        "Téléphone de l'interlocuteur non renseigné",
        "Aucun critère de sélection défini",
    ]
    page = text(response)
    block = page.split('data-testid="donnees-manquantes"')[1].split("</div>")[0]
    assert "12 informations manquent" in block
    assert f'href="{reverse("grappe:edit", args=[grappe.pk])}"' in block
    assert f'href="{reverse("grappe:comite", args=[grappe.pk, "selection"])}"' in block
    assert f'href="{url("cahier", consultation)}#section-modalites"' in block
    # The document highlights the holes and offers no PDF link.
    assert '<mark class="manquant">Aucun membre au comité de sélection.</mark>' in page
    assert 'data-testid="pdf-indisponible"' in page
    assert url("cahier_pdf", consultation) not in page


def test_complete_consultation_has_nothing_missing(cast, client_for, consultation):
    complete(consultation)
    response = client_for(cast.owner).get(url("cahier_apercu", consultation))
    assert response.context["missing"] == []
    page = text(response)
    assert 'data-testid="cahier-complet"' in page
    assert "manquant" not in page.split('data-testid="cahier-document"')[1]
    assert "amoa@grappe.example.fr avant le vendredi 10 juillet 2026 à 12\u00a0h\u00a000" in page
    assert "le lundi 20 juillet 2026 à partir de 9\u00a0h\u00a030, au siège du porteur" in page
    assert (
        "Claire Martin – amoa@grappe.example.fr – Tél. : 03 20 00 00 00</strong>, "
        "avant le vendredi 3 juillet 2026" in page
    )


def test_removing_every_perimeter_item_is_missing_data(cast, client_for, consultation):
    complete(consultation)
    consultation.cahier["retires"] = [item.code for item in builder.PERIMETRE_PROJET.items]
    consultation.save()
    missing = client_for(cast.owner).get(url("cahier_apercu", consultation)).context["missing"]
    assert [item.message for item in missing] == ["Périmètre de la mission « projet » vide"]


def test_criteria_come_from_the_consultation(cast, client_for, consultation):
    complete(consultation)
    consultation.criteres.filter(code="audition").update(poids=35)
    Critere.objects.create(
        consultation=consultation,
        code="hds",
        libelle="Hébergement des données de santé certifié",
        kind=TypeCritere.INDISPENSABLE,
        poids=0,
        ordre=8,
    )
    client = client_for(cast.owner)
    response = client.get(url("cahier_apercu", consultation))
    assert [item.message for item in response.context["missing"]] == [
        "Pondération des critères de sélection : La somme des pondérations doit être égale à "
        "100 : elle est de 120."
    ]
    section = text(response).split('data-testid="cdc-criteres"')[1].split("</section>")[0]
    assert '<td>Audition</td><td class="num text-end">35\xa0%</td>' in section
    assert "<li>Hébergement des données de santé certifié</li>" in section
    consultation.criteres.filter(code="audition").update(poids=15)
    assert client.get(url("cahier_apercu", consultation)).context["missing"] == []
    consultation.criteres.all().delete()
    missing = client.get(url("cahier_apercu", consultation)).context["missing"]
    assert [(item.message, item.url) for item in missing] == [
        (
            "Aucun critère de sélection défini",
            reverse("amoa:criteres", args=[cast.grappe.pk, consultation.pk]),
        )
    ]


def test_the_builder_says_the_weights_are_a_proposal(cast, client_for, consultation):
    """Seed 000 §1.8: « poids à définir » — the builder shows the weights as the product's
    proposal, to be set by the comité de sélection."""
    consultation.ensure_default_criteres()
    page = text(client_for(cast.owner).get(url("cahier", consultation)))
    section = page.split('id="section-criteres"')[1].split("</fieldset>")[0]
    assert (
        '<td>Méthodologie</td><td>Qualitatif (noté par les évaluateurs)</td><td class="text-end">20\xa0%</td>'
        in section
    )
    assert (
        "Pondération proposée par défaut (le modèle de cahier des charges indique « poids à "
        "définir ») : à ajuster par le comité de sélection." in section
    )


def test_pdf_is_refused_while_data_is_missing(cast, client_for, consultation):
    response = client_for(cast.owner).get(url("cahier_pdf", consultation))
    assert response.status_code == 302
    assert response["Location"] == url("cahier_apercu", consultation)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "Le cahier des charges ne peut pas encore être généré : 10 informations manquent "
        "(voir la liste ci-dessous)."
    ]


@pytest.mark.pdf
def test_pdf_text(cast, client_for, consultation):
    complete(consultation)
    add_esms(cast.grappe, 1, og=OrganismeGestionnaireFactory(raison_sociale="APEI DU TERNOIS"))
    response = client_for(cast.owner).get(url("cahier_pdf", consultation))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    content = pdf_text(response.content)
    flat = " ".join(content.split())
    assert "XXXX" not in content and "JJMMAAAA" not in content and "HHhMM" not in content
    assert "Grappe des Flandres" in flat
    assert "Assistance à maîtrise d'ouvrage DUI" in flat
    for title in (
        "1. Présentation du contexte de la grappe et du projet",
        "1.2. Répartition géographique des ESMS de la grappe",
        "2. Définition du périmètre de la mission « marché »",
        "3. Définition du périmètre de la mission « projet »",
        "4. Livrables attendus",
        "5. Comité de sélection AMOA",
        "6. Contenu de la réponse",
        "7. Modalités de candidature",
        "8. Critères de sélection des offres",
        "9. Confidentialité – propriété des livrables",
    ):
        assert title in flat, title
    assert (
        "Le délai pour la transmission des comptes rendus après une réunion est fixé à 8 jours "
        "ouvrés maximum." in flat
    )
    assert "grappe multi-OG" in flat
    for membership in cast.grappe.memberships.select_related("esms__og"):
        assert membership.esms.finess_et in content
        assert membership.esms.og.finess_ej in content
    assert "Méthodologie 20 %" in flat
    assert "Page 2 / " in flat
    assert "Sommaire" in flat


def test_builder_query_count_does_not_grow_with_esms(
    cast, client_for, consultation, django_assert_max_num_queries
):
    complete(consultation)
    client = client_for(cast.owner)
    client.get(url("cahier", consultation))  # warm the session
    # Session, user, grappe, permissions, consultation, ESMS, OG, comités + members, roles,
    # criteria, and the navigation bar.
    with django_assert_max_num_queries(15) as builder_page:
        client.get(url("cahier", consultation))
    with django_assert_max_num_queries(15) as preview:
        client.get(url("cahier_apercu", consultation))
    add_esms(cast.grappe, 20, og=OrganismeGestionnaireFactory())
    add_esms(cast.grappe, 5, og=OrganismeGestionnaireFactory())
    with django_assert_max_num_queries(len(builder_page.captured_queries)):
        response = client.get(url("cahier", consultation))
    assert "grappe multi-OG" in text(response)
    with django_assert_max_num_queries(len(preview.captured_queries)):
        response = client.get(url("cahier_apercu", consultation))
    assert text(response).count("<tr><td>EHPAD LES TILLEULS") == 28


def test_modalites_are_saved_on_the_consultation_with_history(cast, client_for, consultation):
    data = form_data(
        consultation,
        offres_avant="2026-07-10T12:00",
        questions_avant="2026-07-03",
        auditions_du="2026-07-20",
        auditions_au="2026-07-21",
        auditions_heure="14:00",
        auditions_lieu="en visioconférence",
        contact_nom="Claire Martin",
        contact_email="amoa@grappe.example.fr",
        contact_telephone="03 20 00 00 00",
    )
    response = client_for(cast.owner).post(url("cahier", consultation), data)
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert timezone.localtime(consultation.offres_avant) == timezone.make_aware(
        datetime.datetime(2026, 7, 10, 12, 0)
    )
    assert consultation.auditions_au == datetime.date(2026, 7, 21)
    assert consultation.contact_email == "amoa@grappe.example.fr"
    assert consultation.cahier["auditions_heure"] == "14:00"
    changes = HistoryEntry.objects.get().changes
    assert changes["Date et heure limites de remise des offres"] == [
        "",
        "10/07/2026 à 12\u00a0h\u00a000",
    ]
    assert changes["Lieu des auditions"] == ["", "en visioconférence"]
    page = text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    assert (
        "du lundi 20 juillet 2026 au mardi 21 juillet 2026, à partir de 14\u00a0h\u00a000 chaque jour, "
        "en visioconférence" in page
    )


def test_removing_a_group_removes_its_sub_items(cast, client_for, consultation):
    data = form_data(consultation, garder_p_changement=None)
    client_for(cast.owner).post(url("cahier", consultation), data)
    page = text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    projet = page.split('data-testid="cdc-mission-projet"')[1].split("</section>")[0]
    assert "Accompagnement au changement" not in projet
    assert "Modélisation des processus métiers" not in projet
    assert "Reporting du projet" in projet


def test_a_consultation_without_mission_links_to_its_edit_page(cast, client_for, consultation):
    consultation.missions = []
    consultation.save()
    response = client_for(cast.owner).get(url("cahier", consultation))
    assert response.status_code == 200
    missing = {item.message: item.url for item in response.context["missing"]}
    assert missing[
        "Aucune mission choisie pour la consultation (« marché » ou « projet »)"
    ] == reverse("amoa:consultation_edit", args=[cast.grappe.pk, consultation.pk])
    page = text(response)
    assert "Aucune mission n'est choisie pour cette consultation" in page


def test_mono_og_wording_for_a_single_esms(cast):
    grappe = cast.grappe
    grappe.memberships.exclude(pk=grappe.memberships.first().pk).delete()
    phrase = builder.composition_phrase(builder.grappe_context(grappe))
    assert (
        "son 1 établissement ou service social et médico-social (ESMS) relève d'un seul" in phrase
    )


def test_editing_a_published_cahier_warns_the_editor(cast, client_for, consultation):
    client = client_for(cast.owner)
    assert 'data-testid="consultation-publiee"' not in text(client.get(url("cahier", consultation)))
    consultation.statut = "publiee"
    consultation.save()
    page = text(client.get(url("cahier", consultation)))
    assert "La consultation est « publiée » : toute modification" in page


def test_preview_offers_section_links_to_editors_only(cast, client_for, consultation):
    builder_link = f'href="{url("cahier", consultation)}#section-livrables"'
    assert builder_link in text(client_for(cast.owner).get(url("cahier_apercu", consultation)))
    page = text(client_for(cast.ars).get(url("cahier_apercu", consultation)))
    assert builder_link not in page
    assert "Voir les choix section par section" in page

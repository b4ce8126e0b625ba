import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grappe.convention_defaults import convention_defaults
from grappe.enums import RoleKind, TypeProjet
from grappe.models import ConventionCooperation, HistoryEntry
from grappe.views.convention import text_blocks
from tests.grappe.factories import OrganismeGestionnaireFactory, RoleFactory, add_esms
from tests.helpers import EDIT, READ, assert_cast, messages_of, pdf_text

pytestmark = pytest.mark.django_db

SECTIONS = ConventionCooperation.SECTIONS


def convention_url(grappe):
    return reverse("grappe:convention", args=[grappe.pk])


def pdf_url(grappe):
    return reverse("grappe:convention_pdf", args=[grappe.pk])


def full_data(**overrides):
    data = {name: f"Texte de la section {name}." for name in SECTIONS}
    data.update(signed_on="", signed_at_place="")
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


def test_convention_page_permission_cast(cast, client_for):
    assert_cast(cast, client_for, convention_url(cast.grappe), READ)


def test_convention_changes_refused_to_non_editors(cast, client_for):
    assert_cast(
        cast,
        client_for,
        convention_url(cast.grappe),
        EDIT,
        method="post",
        data=full_data(),
        skip={"owner", "admin"},
    )
    assert not ConventionCooperation.objects.exists()
    assert not HistoryEntry.objects.exists()


def test_convention_pdf_permission_cast(cast, client_for):
    assert_cast(cast, client_for, pdf_url(cast.grappe), READ)


def test_amoa_edits_the_convention(cast, client_for):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    response = client_for(amoa).post(convention_url(cast.grappe), full_data())
    assert response.status_code == 302
    assert ConventionCooperation.objects.filter(grappe=cast.grappe).exists()


def test_pdf_is_get_only(cast, client_for):
    assert client_for(cast.owner).post(pdf_url(cast.grappe)).status_code == 405


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_editors_get_the_model_texts_without_saving(cast, client_for):
    response = client_for(cast.owner).get(convention_url(cast.grappe))
    assert response.status_code == 200
    form = response.context["form"]
    defaults = convention_defaults(cast.grappe)
    for name in SECTIONS:
        assert form[name].value() == defaults[name]
    assert response.context["prefilled"] == SECTIONS
    assert cast.grappe.porteur.name in form["porteur_missions"].value()
    body = response.content.decode()
    assert "texte type proposé" in body
    # Nothing saved yet: every section is still listed as missing.
    assert not ConventionCooperation.objects.exists()
    assert len(response.context["missing"]) == 7
    assert "Sections à compléter avant de générer la convention" in body


def test_viewers_read_the_saved_convention(cast, client_for):
    ConventionCooperation.objects.create(grappe=cast.grappe, responsabilite="Chacun répond de soi.")
    response = client_for(cast.ars).get(convention_url(cast.grappe))
    assert response.context["form"] is None
    body = response.content.decode()
    assert "Article 5 — Responsabilité" in body
    assert "Chacun répond de soi." in body
    assert body.count("Section à rédiger.") == 6
    assert "<textarea" not in body
    assert "Responsabilité" not in [str(label) for label in response.context["missing"]]


def test_perimeter_is_live_data(cast, client_for):
    second = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DES DUNES")
    (esms,) = add_esms(cast.grappe, 1, og=second, commune="DUNKERQUE", code_postal="59140")
    response = client_for(cast.member).get(convention_url(cast.grappe))
    rows = response.context["perimeter"]
    assert [row.og for row in rows] == [cast.grappe.porteur, second]
    assert rows[0].is_porteur and not rows[1].is_porteur
    assert len(rows[0].esms) == 3 and rows[1].esms == [esms]
    body = response.content.decode()
    assert second.finess_ej in body and esms.finess_et in body and "DUNKERQUE" in body
    # An ESMS that left the grappe is out of the perimeter.
    membership = cast.grappe.memberships.get(esms=esms)
    membership.left_on = timezone.localdate()
    membership.save()
    response = client_for(cast.member).get(convention_url(cast.grappe))
    assert esms.finess_et not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------


def test_save_creates_the_convention_with_history(cast, client_for):
    response = client_for(cast.owner).post(convention_url(cast.grappe), full_data())
    assert response.status_code == 302
    assert response["Location"] == convention_url(cast.grappe)
    convention = ConventionCooperation.objects.get(grappe=cast.grappe)
    assert convention.responsabilite == "Texte de la section responsabilite."
    assert convention.missing_sections() == []
    entry = HistoryEntry.objects.get(grappe=cast.grappe)
    assert entry.action == "Rédaction de la convention de coopération"
    assert entry.user == cast.owner
    assert entry.changes["Responsabilité"] == "texte rédigé"
    assert len(entry.changes) == 7
    assert messages_of(response) == ["La convention de coopération est enregistrée."]

    # A second save records only what changed.
    data = full_data(
        responsabilite="Autre texte.",
        signed_on="2026-03-02",
        signed_at_place="Lille",
    )
    response = client_for(cast.admin).post(convention_url(cast.grappe), data)
    assert response.status_code == 302
    entry = HistoryEntry.objects.filter(grappe=cast.grappe).first()
    assert entry.action == "Modification de la convention de coopération"
    assert entry.changes == {
        "Responsabilité": "texte modifié",
        "Signée le": ["", "02/03/2026"],
        "Signée à": ["", "Lille"],
    }
    convention.refresh_from_db()
    assert convention.signed_on == datetime.date(2026, 3, 2)


def test_saving_the_model_texts_as_is_counts_as_a_change(cast, client_for):
    defaults = convention_defaults(cast.grappe)
    client_for(cast.owner).post(convention_url(cast.grappe), full_data(**defaults))
    convention = ConventionCooperation.objects.get(grappe=cast.grappe)
    assert convention.gouvernance == defaults["gouvernance"]
    assert HistoryEntry.objects.filter(action__endswith="convention de coopération").count() == 1


def test_unchanged_save_writes_nothing(cast, client_for):
    client = client_for(cast.owner)
    client.post(convention_url(cast.grappe), full_data())
    client.get(convention_url(cast.grappe))  # shows (and consumes) the first save's message
    response = client.post(convention_url(cast.grappe), full_data())
    assert messages_of(response) == ["Aucune modification."]
    assert HistoryEntry.objects.count() == 1


def test_missing_sections_are_listed_after_saving(cast, client_for):
    response = client_for(cast.owner).post(
        convention_url(cast.grappe), full_data(modalites="", dispositions_financieres=" ")
    )
    assert response.status_code == 302
    warning = messages_of(response)[1]
    assert warning.startswith("Sections encore à compléter avant de générer la convention")
    assert "dispositions financières" in warning
    # An editor gets the model text back in the empty sections, and the list on the page.
    response = client_for(cast.owner).get(convention_url(cast.grappe))
    assert response.context["prefilled"] == ["dispositions_financieres", "modalites"]
    assert [str(label) for label in response.context["missing"]] == [
        "Dispositions financières",
        "Entrée en vigueur, durée, modification, résiliation, retrait et règlement des litiges",
    ]


def test_signature_checks(cast, client_for):
    client = client_for(cast.owner)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        convention_url(cast.grappe),
        full_data(signed_on=tomorrow.isoformat(), signed_at_place="Lille"),
    )
    assert response.context["form"].errors["signed_on"] == [
        "La date de signature ne peut pas être dans le futur."
    ]
    response = client.post(convention_url(cast.grappe), full_data(signed_on="2026-01-05"))
    assert response.context["form"].errors["signed_at_place"] == ["Indiquez le lieu de signature."]
    response = client.post(convention_url(cast.grappe), full_data(signed_at_place="Lille"))
    assert response.context["form"].errors["signed_on"] == ["Indiquez la date de signature."]
    response = client.post(
        convention_url(cast.grappe),
        full_data(signed_on="2026-01-05", signed_at_place="Lille", responsabilite=""),
    )
    assert response.status_code == 200
    assert (
        "Une convention signée comporte toutes ses sections"
        in (response.context["form"].non_field_errors()[0])
    )
    assert not ConventionCooperation.objects.exists()
    # The invalid texts are not shown as saved.
    assert len(response.context["missing"]) == 7


# ---------------------------------------------------------------------------------------------
# Model texts
# ---------------------------------------------------------------------------------------------


def test_model_texts_follow_seed_004(cast):
    grappe = cast.grappe
    texts = convention_defaults(grappe)
    assert list(texts) == SECTIONS
    assert "Périmètre couvert par le projet" in texts["contexte"]
    assert "FINESS géographique" in texts["contexte"]
    assert grappe.name in texts["contexte"]
    assert grappe.porteur.finess_ej in texts["porteur_missions"]
    assert "système d'acquisition dynamique" in texts["porteur_missions"]
    assert "chef de projet" in texts["porteur_missions"]
    assert "aucune rémunération" in texts["porteur_missions"]
    assert "Exécution du marché" in texts["membres_engagements"]
    for word in ("Comité de pilotage", "Comité de suivi opérationnel", "AMOA", "Référents"):
        assert word in texts["gouvernance"]
    assert "seuls responsables" in texts["responsabilite"]
    for word in ("Budget prévisionnel", "fournisseur de son choix", "Modalités de paiement"):
        assert word in texts["dispositions_financieres"]
    for word in ("Entrée en vigueur", "Modification", "Résiliation", "Retrait", "litiges"):
        assert word in texts["modalites"]


def test_model_texts_adapt_to_the_grappe(cast):
    grappe = cast.grappe
    grappe.type_projet = TypeProjet.CONFORMITE
    grappe.enjeux = "Sortir du papier dans les EHPAD."
    grappe.porteur = None
    texts = convention_defaults(grappe)
    assert "système d'acquisition dynamique" not in texts["porteur_missions"]
    assert "mise en conformité" in texts["porteur_missions"]
    assert "[organisme gestionnaire porteur à désigner]" in texts["porteur_missions"]
    assert "Sortir du papier dans les EHPAD." in texts["contexte"]


def test_text_blocks():
    text = "Titre court\nUne phrase.\n- point un ;\n- point deux.\n\nParagraphe seul."
    assert text_blocks(text) == [
        {"kind": "titre", "text": "Titre court"},
        {"kind": "texte", "text": "Une phrase."},
        {"kind": "liste", "items": ["point un ;", "point deux."], "open": False},
        {"kind": "texte", "text": "Paragraphe seul."},
    ]
    assert text_blocks("") == []


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


@pytest.mark.pdf
def test_pdf_text(cast, client_for):
    grappe = cast.grappe
    second = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DES DUNES")
    add_esms(grappe, 1, og=second)
    client_for(cast.owner).post(convention_url(grappe), full_data(**convention_defaults(grappe)))
    response = client_for(cast.ars).get(pdf_url(grappe))
    assert response.status_code == 200
    assert "convention-de-cooperation-grappe-des-flandres.pdf" in response["Content-Disposition"]
    text = pdf_text(response)
    assert "Convention de coopération" in text
    assert "Entre les soussignés" in text
    assert grappe.porteur.name in text
    assert grappe.porteur.finess_ej in text
    assert "ASSOCIATION DES DUNES" in text
    assert "Périmètre couvert par le projet" in text
    assert grappe.memberships.first().esms.finess_et in text
    titles = [
        "Article 1 — Contexte, objectifs partagés et actions communes",
        "Article 2 — Désignation, engagements et mission",
        "Article 5 — Responsabilité",
        "Article 6 — Dispositions financières",
        "Article 7 — Entrée en vigueur",
    ]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "système d'acquisition dynamique" in text
    assert text.count("Nom et qualité du signataire") == 2
    assert "Projet de convention" in text  # not signed yet
    assert "Grappe des Flandres — Document généré par Grappe le" in text


@pytest.mark.pdf
def test_pdf_of_an_empty_convention(cast, client_for):
    text = pdf_text(client_for(cast.member).get(pdf_url(cast.grappe)))
    assert "Convention de coopération" in text
    assert "Article 5 — Responsabilité" in text
    assert text.count("Section à rédiger.") == 7
    assert "sections à compléter" in text


@pytest.mark.pdf
def test_pdf_of_a_signed_convention(cast, client_for):
    ConventionCooperation.objects.create(
        grappe=cast.grappe,
        signed_on=datetime.date(2026, 2, 3),
        signed_at_place="Arras",
        **dict.fromkeys(SECTIONS, "Texte."),
    )
    text = pdf_text(client_for(cast.copil).get(pdf_url(cast.grappe)))
    assert "Projet de convention" not in text
    assert "Fait à Arras, le 3 février 2026, en 1 exemplaire original." in text

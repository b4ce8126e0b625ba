"""Journey: the chef de projet builds the grille des fonctionnalités from the model, adds a
requirement, imports the filled cadres de réponse of two éditeurs and sees the coverage, the
total cost over 3 years and the ranking (the éditeur missing an indispensable is eliminated)."""

import pytest
from playwright.sync_api import expect

from amoa.enums import ObjetConsultation
from grappe.enums import RoleKind
from tests.amoa.factories import PRIX_TYPE, ConsultationFactory, filled_cadre, make_offre_editeur
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_build_grid_import_two_frames_see_coverage_tco_and_ranking(
    page, live_server, login, capture
):
    grappe = GrappeFactory(name="Grappe de l'Artois")
    owner = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=owner, kind=RoleKind.CHEF_PROJET)
    consultation = ConsultationFactory(
        grappe=grappe, titre="DUI de l'Artois", objet=ObjetConsultation.EDITEUR, missions=[]
    )
    alpha = make_offre_editeur(consultation, "Alpha Logiciels")
    beta = make_offre_editeur(consultation, "Beta Santé")
    root = f"{live_server.url}/amoa/grappes/{grappe.pk}/"
    base = f"{root}consultations/{consultation.pk}/"

    # The grid, from the model, then adapted.
    login("porteur@exemple.fr")
    page.goto(f"{root}grille-fonctionnelle/")
    expect(page.get_by_test_id("aucune-grille")).to_be_visible()
    page.get_by_test_id("creer-grille").click()
    expect(page.get_by_test_id("exigence-INS-01")).to_contain_text("Indispensable")
    page.get_by_role("link", name="Ajouter une exigence").click()
    page.get_by_label("Domaine").select_option(label="Transmissions")
    page.get_by_label("Référence").fill("TRA-09")
    page.locator("#id_libelle").fill("Transmissions dictées en mobilité")
    page.get_by_label("Priorité").select_option(label="Souhaitable")
    page.get_by_label("Intervenant à domicile").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("exigence-TRA-09")).to_contain_text("Intervenant à domicile")
    capture("01-grille-des-fonctionnalites")

    # The two éditeurs' filled frames.
    frames = {
        alpha: filled_cadre(consultation, prices=PRIX_TYPE),
        beta: filled_cadre(
            consultation,
            answers={"INS-01": ("Impossible", None, None)},
            prices=[("Licences / droits d'usage", "Abonnement", None, 5000)],
        ),
    }
    for offre, content in frames.items():
        page.goto(f"{base}offres/{offre.pk}/cadre-de-reponse/")
        page.get_by_label("Cadre de réponse complété (XLSX)").set_input_files(
            files=[{"name": f"cadre-{offre.pk}.xlsx", "mimeType": XLSX, "buffer": content}]
        )
        page.get_by_role("button", name="Vérifier le fichier").click()
        expect(page.get_by_test_id("import-valide")).to_be_visible()
        if offre == alpha:
            capture("02-cadre-de-reponse-verifie")
        page.get_by_test_id("appliquer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Couverture fonctionnelle des offres"
        )

    # Coverage: Beta misses an indispensable requirement.
    expect(page.get_by_test_id(f"couverture-{alpha.pk}")).to_contain_text("Toutes couvertes")
    expect(page.get_by_test_id(f"couverture-{beta.pk}")).to_contain_text("INS-01")
    expect(page.get_by_test_id("couverture-domaines")).to_contain_text("Identité nationale")
    capture("03-couverture-fonctionnelle")

    # TCO over 3 years: Alpha 15 000 + 3 × 8 000.
    page.get_by_role("link", name="Coût total").click()
    expect(page.get_by_test_id(f"tco-{alpha.pk}")).to_contain_text("39")
    expect(page.get_by_test_id(f"tco-{beta.pk}")).to_contain_text("15")
    capture("04-cout-total-sur-3-ans")

    # Ranking: Alpha ranked, Beta eliminated for the indispensable requirement.
    page.get_by_role("link", name="Classement").click()
    expect(page.get_by_test_id(f"rang-{alpha.pk}")).to_contain_text("Alpha Logiciels")
    expect(page.get_by_test_id("non-classees")).to_contain_text("Beta Santé")
    expect(page.get_by_test_id("non-classees")).to_contain_text("INS-01")
    capture("05-classement-des-editeurs")

import pytest
from playwright.sync_api import expect

from grappe.enums import FonctionOg
from grappe.models import Grappe, OgPerson
from tests.grappe.factories import (
    CategorieFactory,
    EsmsFactory,
    OrganismeGestionnaireFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def registry_of_15_esms(porteur):
    """15 ESMS from the imported FINESS registry, run by 3 OG, none in a grappe yet; the porteur
    speaks for the 3 OG (their référent), so their ESMS join without a request."""
    ehpad = CategorieFactory()
    ime = CategorieFactory(
        code="183", libelle="Institut Médico-Educatif (I.M.E.)", agregat_code="4101"
    )
    numbers = []
    for og_index in range(3):
        og = OrganismeGestionnaireFactory(raison_sociale=f"ASSOCIATION DU NORD {og_index}")
        OgPerson.objects.create(og=og, user=porteur, fonction=FonctionOg.REFERENT)
        for esms_index in range(5):
            esms = EsmsFactory(og=og, categorie=ime if esms_index == 4 else ehpad)
            numbers.append(esms.finess_et)
    return numbers


def test_porteur_builds_an_eligible_grappe_of_15_esms_by_finess(page, live_server, login, capture):
    porteur = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    numbers = registry_of_15_esms(porteur)
    login("porteur@exemple.fr")

    # No grappe yet: the home page offers to create one.
    page.get_by_role("link", name="créez votre grappe").click()
    page.get_by_label("Nom").fill("Grappe du Valenciennois")
    page.get_by_label("Région").select_option(label="Hauts-de-France")
    page.get_by_label("Appel à projets").select_option(label="Généralisation ESMS numérique 2025")
    page.get_by_label("Achat via le SAD du RESAH").check()
    capture("01-creation-de-la-grappe")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ajouter un ESMS par son numéro FINESS"
    )

    field = page.get_by_label("FINESS géographique")
    for count, number in enumerate(numbers, start=1):
        if count == 1:
            field.press_sequentially(number)
        else:
            # Pasted, then the last digit typed, as from a spreadsheet: the lookup fires on keyup.
            field.fill(number[:-1])
            field.press(number[-1])
        # htmx shows the registry card before we add it.
        expect(page.locator("#resultat-finess")).to_contain_text("Présent dans le registre FINESS")
        if count == 1:
            capture("02-fiche-finess-avant-ajout")
        page.get_by_role("button", name="Ajouter à la grappe").click()
        expect(page.get_by_test_id("compteur-esms")).to_have_text(f"{count} ESMS dans la grappe")
        # The counter shows before htmx (end of body) has bound the field: wait for the page.
        page.wait_for_load_state()
        field = page.get_by_label("FINESS géographique")

    # A wrong key is refused on the spot, in French.
    field.press_sequentially(numbers[0][:8] + str((int(numbers[0][8]) + 1) % 10))
    expect(page.locator("#resultat-finess")).to_contain_text("Clé de contrôle incorrecte")
    capture("03-cle-finess-incorrecte")

    page.get_by_role("link", name="Terminer").click()
    grappe = Grappe.objects.get(name="Grappe du Valenciennois")
    expect(page).to_have_url(f"{live_server.url}/grappes/{grappe.pk}/")
    expect(page.get_by_test_id("nb-esms")).to_have_text("15")
    expect(page.get_by_test_id("eligibilite")).to_have_text("Éligible")
    expect(page.get_by_test_id("table-esms").locator("tbody tr")).to_have_count(15)
    capture("04-grappe-eligible")

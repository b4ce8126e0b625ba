"""The FINESS open-data import (grappe/finess_import.py) and its command, on real lines."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connections
from django.db.models.query import QuerySet

from grappe.enums import SituationDui, SourceDonnee, StatutImport, StatutLigneImport
from grappe.finess_import import (
    FinessFileError,
    apply_queued,
    apply_recorded,
    import_finess,
    queue_apply,
)
from grappe.management.commands.import_finess import Command as ImportFinessCommand
from grappe.models import Categorie, Departement, Esms, FinessImport, OrganismeGestionnaire
from tests.grappe.factories import EsmsFactory, OrganismeGestionnaireFactory
from tests.grappe.test_finess import EXTRACT

pytestmark = pytest.mark.django_db

CREEE = StatutLigneImport.CREEE
MISE_A_JOUR = StatutLigneImport.MISE_A_JOUR
INCHANGEE = StatutLigneImport.INCHANGEE
IGNOREE = StatutLigneImport.IGNOREE
REJETEE = StatutLigneImport.REJETEE

EXTRACT_TEXT = EXTRACT.read_text(encoding="utf-8")
LINES = EXTRACT_TEXT.splitlines()  # LINES[0] is the comment; file line n is LINES[n - 1]
HEADER = LINES[0]

# The social and medico-social lines of the extract (aggregates 4xxx).
ESMS_NUMBERS = {
    "970210126",  # CMPP 189 / 4106, Martinique (9B)
    "970405767",  # Etablissement de Placement 241 / 4502, La Réunion (9D)
    "980501506",  # lieu de vie 462 / 4605, Mayotte (9F), doubled quotes
    "970302287",  # EHPAD 500 / 4401, Guyane (9C)
    "970216057",  # SMJPM 340 / 4608, Martinique (9B), EJ 590799730 in Nord
}
ALL_NUMBERS = {line.split(";")[1] for line in LINES[1:]}
CMPP_LINE = 6  # file line of 970210126, a line without quotes


def run(text, **options):
    return import_finess(text.encode("utf-8"), **options)


def file_with(*lines):
    return "\n".join([HEADER, *lines]) + "\n"


def line_of(number):
    return next(line for line in LINES[1:] if line.split(";")[1] == number)


def replace_cell(line, index, value):
    cells = line.split(";")
    cells[index] = value
    return ";".join(cells)


def with_line(file_line, new_line):
    lines = list(LINES)
    lines[file_line - 1] = new_line
    return "\n".join(lines) + "\n"


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Esms, OrganismeGestionnaire, Categorie, Departement)
    }


def statuses(result):
    return {statut: result.count(statut) for statut in StatutLigneImport.values}


# ---------------------------------------------------------------------------------------------
# The real extract
# ---------------------------------------------------------------------------------------------


def test_the_extract_has_14_establishment_lines():
    assert len(LINES) == 15
    assert len(ALL_NUMBERS) == 14
    assert ESMS_NUMBERS < ALL_NUMBERS


def test_default_import_keeps_social_and_medico_social_establishments_only():
    result = run(EXTRACT_TEXT)

    assert statuses(result) == {CREEE: 5, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 9, REJETEE: 0}
    assert result.lines == 14
    assert result.kind == "et"
    assert result.encoding == "utf-8"
    assert set(Esms.objects.values_list("finess_et", flat=True)) == ESMS_NUMBERS
    assert all(esms.is_esms for esms in Esms.objects.select_related("categorie"))
    assert set(Esms.objects.values_list("categorie__code", flat=True)) == {
        "189",
        "241",
        "462",
        "500",
        "340",
    }
    # The ESMS categories are reference data (grappe/reference/categories.toml), written
    # as the FINESS file writes them: the real file neither adds nor relabels any.
    assert result.categories_creees == result.categories_mises_a_jour == 0


def test_all_option_imports_the_14_lines():
    result = run(EXTRACT_TEXT, include_all=True)

    assert statuses(result) == {CREEE: 14, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 0, REJETEE: 0}
    assert set(Esms.objects.values_list("finess_et", flat=True)) == ALL_NUMBERS
    hospital = Esms.objects.get(finess_et="010000024")
    assert hospital.categorie.agregat_code == "1102"
    assert not hospital.is_esms
    # The categories outside the ESMS field are not reference data: the file creates them.
    assert result.categories_creees == 5  # 101, 146, 223, 355, 699


def test_fields_of_an_ehpad_line():
    run(EXTRACT_TEXT)
    ehpad = Esms.objects.select_related("og", "categorie", "departement").get(finess_et="970302287")
    assert ehpad.raison_sociale == "E.H.P.A.D. EDMAR LAMA DE CAYENNE"
    assert ehpad.raison_sociale_longue == "E.H.P.A.D. DU CENTRE HOSPITALIER DE CAYENNE"
    assert ehpad.type_voie == "AV"
    assert ehpad.voie == "ALEXIS BLAISE"
    assert ehpad.lieu_dit_bp == "BP 6006"
    assert ehpad.code_commune == "302"
    assert ehpad.code_postal == "97306"
    assert ehpad.commune == "CAYENNE CEDEX"
    assert ehpad.telephone == "0594395050"
    assert ehpad.departement.code == "9C"
    assert ehpad.departement.name == "Guyane"
    assert ehpad.categorie.code == "500"
    assert ehpad.categorie.libelle == "Etablissement d'hébergement pour personnes âgées dépendantes"
    assert ehpad.categorie.agregat_code == "4401"
    assert ehpad.categorie.agregat_libelle == "Etablissements d'Hébergement pour Personnes Âgées"
    assert ehpad.date_ouverture == date(1988, 5, 2)
    assert ehpad.finess_updated_on == date(2024, 4, 22)
    assert ehpad.source == SourceDonnee.FINESS
    assert ehpad.siret == ""
    assert ehpad.capacite is None
    assert ehpad.situation_dui == SituationDui.AUCUN
    assert ehpad.adresse == "AV ALEXIS BLAISE, BP 6006, 97306 CAYENNE CEDEX"


def test_doubled_quotes_are_decoded():
    run(EXTRACT_TEXT)
    lieu_de_vie = Esms.objects.get(finess_et="980501506")
    assert lieu_de_vie.raison_sociale == 'LIEU DE VIE "MAVOUNA MEMA 1"'
    assert lieu_de_vie.raison_sociale_longue == 'LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"'
    assert lieu_de_vie.complement_raison_sociale == "ASSOCIATION MESSO"
    assert lieu_de_vie.code_postal == "97620"
    assert lieu_de_vie.commune == "CHIRONGUI"


def test_complement_de_distribution_is_kept_in_the_address():
    run(EXTRACT_TEXT)
    smjpm = Esms.objects.get(finess_et="970216057")
    assert smjpm.complement_raison_sociale == "CITE BON AIR"
    assert smjpm.lieu_dit_bp == "ROUTE DES RELIGIEUSES"
    assert smjpm.code_postal == "97200"
    assert smjpm.commune == "FORT DE FRANCE"


@pytest.mark.parametrize(
    ("number", "code", "name"),
    [
        ("970102018", "9A", "Guadeloupe"),  # Saint-Barthélemy
        ("970100400", "9A", "Guadeloupe"),  # Saint-Martin
        ("970210126", "9B", "Martinique"),
        ("970300026", "9C", "Guyane"),
        ("970400024", "9D", "La Réunion"),
        ("980501506", "9F", "Mayotte"),
        ("980600027", "9J", "Wallis-et-Futuna"),
        ("010000024", "01", "Ain"),
    ],
)
def test_departement_codes_map_to_the_reference_rows(number, code, name):
    before = Departement.objects.count()
    run(EXTRACT_TEXT, include_all=True)
    esms = Esms.objects.select_related("departement").get(finess_et=number)
    assert esms.departement.code == code
    assert esms.departement.name == name
    assert Departement.objects.count() == before == 103


def test_unknown_departement_code_is_created_from_the_file_label():
    line = replace_cell(replace_cell(line_of("970210126"), 13, "9K"), 14, "NOUVELLE COLLECTIVITE")
    result = run(file_with(line))
    assert result.departements_crees == ["9K"]
    departement = Departement.objects.get(code="9K")
    assert departement.name == "NOUVELLE COLLECTIVITE"
    assert departement.region is None
    assert Esms.objects.get(finess_et="970210126").departement == departement


def test_establishments_are_linked_to_their_entite_juridique():
    result = run(EXTRACT_TEXT, include_all=True)
    smjpm = Esms.objects.select_related("og").get(finess_et="970216057")
    assert smjpm.og.finess_ej == "590799730"
    # The EJ is not in an ET file: a stub OG waits for the EJ file.
    assert smjpm.og.raison_sociale == ""
    assert smjpm.og.source == SourceDonnee.FINESS
    # The Cayenne hospital and its EHPAD belong to the same EJ.
    cayenne = OrganismeGestionnaire.objects.get(finess_ej="970302022")
    assert set(cayenne.esms.values_list("finess_et", flat=True)) == {"970300026", "970302287"}
    assert OrganismeGestionnaire.objects.count() == 13
    assert result.organismes_crees == 13


def test_an_existing_og_is_reused_and_not_modified():
    og = OrganismeGestionnaireFactory(finess_ej="590799730", raison_sociale="ALEFPA")
    result = run(EXTRACT_TEXT)
    og.refresh_from_db()
    assert og.raison_sociale == "ALEFPA"
    assert Esms.objects.get(finess_et="970216057").og == og
    assert result.organismes_crees == 4


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------


def test_a_windows_1252_copy_imports_identically(tmp_path):
    path = tmp_path / "etalab-cs1100502-latin1.csv"
    path.write_text(EXTRACT_TEXT, encoding="cp1252")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    first = run(EXTRACT_TEXT, include_all=True)
    snapshot = list(Esms.objects.order_by("finess_et").values())
    again = import_finess(data, include_all=True)

    assert again.encoding == "cp1252"
    assert first.count(CREEE) == 14
    assert statuses(again) == {CREEE: 0, MISE_A_JOUR: 0, INCHANGEE: 14, IGNOREE: 0, REJETEE: 0}
    assert list(Esms.objects.order_by("finess_et").values()) == snapshot
    assert Categorie.objects.get(code="500").agregat_libelle.endswith("Personnes Âgées")
    assert Esms.objects.get(finess_et="980502199").voie == "VALLÉE 3 BP 208"


def test_a_latin1_file_imported_first_has_its_accents():
    result = import_finess(EXTRACT_TEXT.encode("cp1252"))
    assert result.encoding == "cp1252"
    assert result.count(CREEE) == 5
    assert (
        Categorie.objects.get(code="189").libelle == "Centre Médico-Psycho-Pédagogique (C.M.P.P.)"
    )


def test_utf8_with_bom_and_crlf():
    data = b"\xef\xbb\xbf" + EXTRACT_TEXT.replace("\n", "\r\n").encode("utf-8")
    result = import_finess(data)
    assert result.encoding == "utf-8-sig"
    assert statuses(result) == {CREEE: 5, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 9, REJETEE: 0}
    assert Esms.objects.get(finess_et="970210126").numero_voie == ""
    assert not Esms.objects.filter(finess_updated_on__isnull=True).exists()


# ---------------------------------------------------------------------------------------------
# Geolocalisation (cs1100507) and entités juridiques (cs1100501)
# ---------------------------------------------------------------------------------------------

GEO_EHPAD = "geolocalisation;970302287;353912.4;543810.7;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22;2024-05-02"
GEO_CMPP = "geolocalisation;970210126;711251.8;1613420.5;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20;2024-05-02"
GEO_HOSPITAL = "geolocalisation;970300026;353950.1;543790.3;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22;2024-05-02"


def geo_file():
    # The EHPAD's coordinates come before its structureet line, the CMPP's after.
    return file_with(
        GEO_EHPAD,
        line_of("970302287"),
        line_of("970210126"),
        line_of("970300026"),
        GEO_CMPP,
        GEO_HOSPITAL,
    )


def test_geolocalisation_lines_attach_coordinates():
    result = run(geo_file())

    assert result.kind == "et+geo"
    # 2 ESMS and their coordinates created; the hospital and its coordinates out of scope.
    assert statuses(result) == {CREEE: 4, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 2, REJETEE: 0}
    ehpad = Esms.objects.get(finess_et="970302287")
    assert ehpad.coord_x == 353912.4
    assert ehpad.coord_y == 543810.7
    assert ehpad.coord_source == "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22"
    cmpp = Esms.objects.get(finess_et="970210126")
    assert (cmpp.coord_x, cmpp.coord_y) == (711251.8, 1613420.5)
    assert not Esms.objects.filter(finess_et="970300026").exists()

    again = run(geo_file())
    assert statuses(again) == {CREEE: 0, MISE_A_JOUR: 0, INCHANGEE: 4, IGNOREE: 2, REJETEE: 0}


def test_geolocalisation_alone_updates_known_establishments():
    run(EXTRACT_TEXT)
    moved = GEO_CMPP.replace("711251.8", "711300.0")
    unknown = GEO_CMPP.replace("970210126", "590000014")
    result = run(file_with(moved, GEO_EHPAD, unknown))

    assert result.kind == "geo"
    assert statuses(result) == {CREEE: 0, MISE_A_JOUR: 2, INCHANGEE: 0, IGNOREE: 0, REJETEE: 1}
    assert result.rejected == [
        {
            "line": 4,
            "finess": "590000014",
            "reason": "Aucun établissement de ce numéro, ni dans le fichier ni dans le registre.",
        }
    ]
    assert Esms.objects.get(finess_et="970210126").coord_x == 711300.0
    assert (
        Esms.objects.get(finess_et="970302287").raison_sociale == "E.H.P.A.D. EDMAR LAMA DE CAYENNE"
    )


def test_malformed_coordinates_are_rejected():
    bad = GEO_EHPAD.replace("353912.4", "35391x")
    result = run(file_with(line_of("970302287"), bad))
    assert result.count(CREEE) == 1
    assert result.rejected == [
        {"line": 3, "finess": "970302287", "reason": "Coordonnée X malformée : « 35391x »."}
    ]
    assert Esms.objects.get(finess_et="970302287").coord_x is None


EJ_ALEFPA = (
    "structureej;590799730;ALEFPA;ASSOCIATION LAIQUE POUR EDUCATION FORMATION PREVENTION;;"
    "199;RUE;D'ARRAS;;IMMEUBLE LE FORUM;BP 10;350;59000 LILLE;59;NORD;0320000000;61;"
    "Association Loi 1901 Reconnue d'Utilité Publique;;;775614308;8899B;1960-01-01;"
)
EJ_NEW = (
    'structureej;980501498;ASSOCIATION MESSO;"ASSOCIATION ""MESSO"" MAYOTTE";;12;R;ANCIEN TERRAIN;;;;'
    "606;97620 CHIRONGUI;9F;MAYOTTE;;60;Association Loi 1901 non Reconnue d'Utilité Publique;;;"
    "829679984;;2017-06-01"
)


def test_entite_juridique_file_fills_a_stub_og():
    run(EXTRACT_TEXT)
    stub = OrganismeGestionnaire.objects.get(finess_ej="590799730")
    assert stub.raison_sociale == ""

    result = run(file_with(EJ_ALEFPA))

    assert result.kind == "ej"
    assert statuses(result) == {CREEE: 0, MISE_A_JOUR: 1, INCHANGEE: 0, IGNOREE: 0, REJETEE: 0}
    og = OrganismeGestionnaire.objects.select_related("departement").get(pk=stub.pk)
    assert og.raison_sociale == "ALEFPA"
    assert og.raison_sociale_longue == "ASSOCIATION LAIQUE POUR EDUCATION FORMATION PREVENTION"
    assert og.statut_juridique == "61"
    assert og.statut_juridique_libelle == "Association Loi 1901 Reconnue d'Utilité Publique"
    assert og.numero_voie == "199"
    assert og.voie == "D'ARRAS"
    assert og.lieu_dit_bp == "IMMEUBLE LE FORUM, BP 10"
    assert og.code_commune == "350"
    assert (og.code_postal, og.commune) == ("59000", "LILLE")
    assert og.departement.code == "59"
    assert og.siren == "775614308"
    assert og.date_creation == date(1960, 1, 1)
    assert og.name == "ASSOCIATION LAIQUE POUR EDUCATION FORMATION PREVENTION"
    assert og.esms.get().finess_et == "970216057"


def test_entite_juridique_lines_create_and_are_idempotent():
    # An EJ file is never filtered by category: an OG may run hospitals only.
    result = run(file_with(EJ_ALEFPA, EJ_NEW))
    assert statuses(result) == {CREEE: 2, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 0, REJETEE: 0}
    messo = OrganismeGestionnaire.objects.get(finess_ej="980501498")
    assert messo.raison_sociale_longue == 'ASSOCIATION "MESSO" MAYOTTE'
    assert messo.departement.name == "Mayotte"

    again = run(file_with(EJ_ALEFPA, EJ_NEW))
    assert statuses(again) == {CREEE: 0, MISE_A_JOUR: 0, INCHANGEE: 2, IGNOREE: 0, REJETEE: 0}

    # Then the ET file links the lieu de vie to the complete OG, without a stub.
    after = run(EXTRACT_TEXT)
    assert Esms.objects.get(finess_et="980501506").og == messo
    assert after.organismes_crees == 3


def test_entite_juridique_line_errors():
    no_name = replace_cell(EJ_ALEFPA, 2, "")
    bad_number = replace_cell(EJ_NEW, 1, "980501497")
    result = run(file_with(no_name, bad_number))
    assert [(r["line"], r["finess"], r["reason"].split(" :")[0]) for r in result.rejected] == [
        (2, "590799730", "Raison sociale manquante."),
        (3, "980501497", "Numéro FINESS juridique (EJ) invalide"),
    ]
    assert not OrganismeGestionnaire.objects.exists()


# ---------------------------------------------------------------------------------------------
# Idempotence and what users maintain
# ---------------------------------------------------------------------------------------------


def test_reimport_changes_nothing_then_one_changed_line_is_updated():
    run(EXTRACT_TEXT, include_all=True)
    before = table_counts()

    again = run(EXTRACT_TEXT, include_all=True)
    assert statuses(again) == {CREEE: 0, MISE_A_JOUR: 0, INCHANGEE: 14, IGNOREE: 0, REJETEE: 0}
    assert again.organismes_crees == again.categories_creees == 0
    assert table_counts() == before

    default = run(EXTRACT_TEXT)
    assert statuses(default) == {CREEE: 0, MISE_A_JOUR: 0, INCHANGEE: 5, IGNOREE: 9, REJETEE: 0}

    renamed = replace_cell(line_of("970210126"), 3, "CMPP ALOES")
    changed = run(with_line(CMPP_LINE, renamed), include_all=True)
    assert statuses(changed) == {CREEE: 0, MISE_A_JOUR: 1, INCHANGEE: 13, IGNOREE: 0, REJETEE: 0}
    assert Esms.objects.get(finess_et="970210126").raison_sociale == "CMPP ALOES"
    assert table_counts() == before


def test_an_establishment_can_change_og_and_category():
    run(EXTRACT_TEXT)
    line = replace_cell(line_of("970210126"), 2, "970302022")
    line = replace_cell(
        replace_cell(line, 18, "190"), 19, "Centre Action Médico-Sociale Précoce (C.A.M.S.P.)"
    )
    result = run(with_line(CMPP_LINE, line))
    assert result.count(MISE_A_JOUR) == 1
    assert result.categories_creees == 0  # the CAMSP is among the reference categories
    esms = Esms.objects.select_related("og", "categorie").get(finess_et="970210126")
    assert esms.og.finess_ej == "970302022"
    assert esms.categorie.code == "190"


def test_category_labels_are_refreshed():
    Categorie.objects.update_or_create(
        code="500", defaults={"libelle": "EHPAD", "agregat_code": "4400", "agregat_libelle": ""}
    )
    result = run(EXTRACT_TEXT)
    assert result.categories_mises_a_jour == 1
    categorie = Categorie.objects.get(code="500")
    assert categorie.libelle == "Etablissement d'hébergement pour personnes âgées dépendantes"
    assert categorie.agregat_code == "4401"


def test_user_maintained_fields_are_never_overwritten():
    run(EXTRACT_TEXT)
    Esms.objects.filter(finess_et="970302287").update(
        capacite=84, situation_dui=SituationDui.SEGUR, editeur="Éditeur du DUI"
    )
    renamed = replace_cell(line_of("970302287"), 3, "EHPAD EDMAR LAMA")
    result = run(file_with(renamed))
    assert result.count(MISE_A_JOUR) == 1
    ehpad = Esms.objects.get(finess_et="970302287")
    assert ehpad.raison_sociale == "EHPAD EDMAR LAMA"
    assert (ehpad.capacite, ehpad.situation_dui, ehpad.editeur) == (
        84,
        SituationDui.SEGUR,
        "Éditeur du DUI",
    )


def test_a_manually_entered_esms_is_refreshed_by_the_official_record():
    manual = EsmsFactory(
        finess_et="970302287",
        raison_sociale="Ehpad de Cayenne (saisie)",
        source=SourceDonnee.SAISIE,
        capacite=60,
        editeur="Éditeur local",
    )
    manual_og = manual.og
    result = run(EXTRACT_TEXT)

    assert statuses(result) == {CREEE: 4, MISE_A_JOUR: 1, INCHANGEE: 0, IGNOREE: 9, REJETEE: 0}
    manual.refresh_from_db()
    assert manual.source == SourceDonnee.FINESS
    assert manual.raison_sociale == "E.H.P.A.D. EDMAR LAMA DE CAYENNE"
    assert manual.og.finess_ej == "970302022"
    assert manual.categorie.code == "500"
    assert manual.departement.code == "9C"
    assert (manual.capacite, manual.editeur) == (60, "Éditeur local")
    # The OG the user had typed is left as it was.
    assert OrganismeGestionnaire.objects.filter(pk=manual_og.pk).exists()


# ---------------------------------------------------------------------------------------------
# Rejected lines and refused files
# ---------------------------------------------------------------------------------------------

CMPP = "970210126"


@pytest.mark.parametrize(
    ("broken", "finess", "reason"),
    [
        (
            replace_cell(line_of(CMPP), 1, "970210127"),
            "970210127",
            "Numéro FINESS géographique (ET) invalide : Clé de contrôle incorrecte : avec ces 8 "
            "premiers chiffres, le 9e devrait être 6. Vérifiez le numéro saisi.",
        ),
        (
            replace_cell(line_of(CMPP), 1, "97021012"),
            "97021012",
            "Numéro FINESS géographique (ET) invalide : Un numéro FINESS comporte 9 caractères "
            "(8 saisis).",
        ),
        (
            replace_cell(line_of(CMPP), 2, "970210119"),
            CMPP,
            "Numéro FINESS juridique (EJ) invalide : Clé de contrôle incorrecte : avec ces 8 "
            "premiers chiffres, le 9e devrait être 8. Vérifiez le numéro saisi.",
        ),
        (
            line_of(CMPP).removesuffix(";"),
            CMPP,
            "Nombre de champs incorrect pour une ligne structureet : 31 au lieu de 32.",
        ),
        (
            line_of(CMPP) + "EN TROP;;",
            CMPP,
            "Nombre de champs incorrect pour une ligne structureet : 34 au lieu de 32.",
        ),
        (
            replace_cell(line_of(CMPP), 0, "structurexx"),
            CMPP,
            "Type d'enregistrement inconnu : « structurexx » (attendu : structureet, "
            "geolocalisation ou structureej).",
        ),
        (replace_cell(line_of(CMPP), 3, ""), CMPP, "Raison sociale manquante."),
        (
            replace_cell(line_of(CMPP), 18, "18"),
            CMPP,
            "Code catégorie d'établissement malformé : « 18 » (3 chiffres attendus).",
        ),
        (
            replace_cell(line_of(CMPP), 20, "41O6"),
            CMPP,
            "Code d'agrégat de catégorie malformé : « 41O6 » (4 chiffres attendus).",
        ),
        (
            replace_cell(line_of(CMPP), 30, "2017-02-30"),
            CMPP,
            "Date malformée pour « date de mise à jour » : « 2017-02-30 » (format attendu "
            "AAAA-MM-JJ).",
        ),
        (
            replace_cell(line_of(CMPP), 28, "14/04/2008"),
            CMPP,
            "Date malformée pour « date d'ouverture » : « 14/04/2008 » (format attendu "
            "AAAA-MM-JJ).",
        ),
        (
            replace_cell(line_of(CMPP), 13, "M1"),
            CMPP,
            "Code département malformé : « M1 ».",
        ),
        (
            replace_cell(line_of(CMPP), 9, "X" * 101),
            CMPP,
            "Le champ « voie » dépasse 100 caractères.",
        ),
    ],
)
def test_a_bad_line_is_rejected_with_its_number_and_the_others_imported(broken, finess, reason):
    result = run(with_line(CMPP_LINE, broken))

    assert result.rejected == [{"line": CMPP_LINE, "finess": finess, "reason": reason}]
    assert statuses(result) == {CREEE: 4, MISE_A_JOUR: 0, INCHANGEE: 0, IGNOREE: 9, REJETEE: 1}
    assert set(Esms.objects.values_list("finess_et", flat=True)) == ESMS_NUMBERS - {CMPP}


def test_a_duplicated_number_is_rejected():
    text = EXTRACT_TEXT + line_of("970302287") + "\n"
    result = run(text)
    assert result.rejected == [
        {
            "line": 16,
            "finess": "970302287",
            "reason": "Numéro FINESS en double : déjà présent ligne 14.",
        }
    ]
    assert result.count(CREEE) == 5


def test_blank_lines_are_skipped_and_line_numbers_kept():
    lines = list(LINES)
    lines.insert(3, "")
    lines[CMPP_LINE] = replace_cell(line_of(CMPP), 3, "")
    result = run("\n".join(lines))
    assert result.lines == 14
    assert result.rejected[0]["line"] == CMPP_LINE + 1


def test_corsican_number_failing_the_key_is_imported_with_a_warning():
    line = replace_cell(replace_cell(line_of(CMPP), 1, "2A0012346"), 13, "2A")
    result = run(file_with(line))
    assert result.count(CREEE) == 1
    assert result.warnings[0]["finess"] == "2A0012346"
    assert result.warnings[0]["reason"].startswith("Clé de contrôle non vérifiable")
    assert Esms.objects.get(finess_et="2A0012346").departement.name == "Corse-du-Sud"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "nom;prenom;ville\nDupont;Jean;Lille\n",
            "Ce fichier n'est pas une extraction FINESS : la première ligne devrait être le "
            "commentaire « finess;etalab;… » (lu : « nom;prenom;ville »).",
        ),
        (
            "\n".join(LINES[1:]),
            "Ce fichier n'est pas une extraction FINESS",
        ),
        ("", "Le fichier est vide ou sa première ligne est vide."),
        (
            HEADER + "\n",
            "Aucun enregistrement FINESS reconnu dans ce fichier (lignes structureet, "
            "geolocalisation ou structureej attendues).",
        ),
        (
            HEADER + "\nstructurexx;010000024\nautre;chose\n",
            "Aucun enregistrement FINESS reconnu",
        ),
    ],
)
def test_a_non_finess_file_is_refused_and_nothing_is_written(content, message):
    before = table_counts()
    with pytest.raises(FinessFileError) as error:
        run(content)
    assert str(error.value).startswith(message)
    assert table_counts() == before


def test_binary_garbage_is_refused():
    with pytest.raises(FinessFileError):
        import_finess(bytes(range(256)) * 10)


def test_dry_run_writes_nothing_and_reports_like_the_real_run():
    line = replace_cell(replace_cell(line_of(CMPP), 13, "9K"), 14, "NOUVELLE COLLECTIVITE")
    text = with_line(CMPP_LINE, line)
    before = table_counts()

    simulation = run(text, include_all=True, dry_run=True)

    assert table_counts() == before
    assert simulation.dry_run
    assert simulation.departements_crees == ["9K"]
    real = run(text, include_all=True)
    assert statuses(simulation) == statuses(real)
    assert (simulation.organismes_crees, simulation.categories_creees) == (
        real.organismes_crees,
        real.categories_creees,
    )
    assert Esms.objects.count() == 14


def test_a_database_error_rolls_everything_back(monkeypatch):
    original = QuerySet.bulk_create

    def failing(self, objs, *args, **kwargs):
        if self.model is Esms:
            raise IntegrityError("panne simulée")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", failing)
    line = replace_cell(replace_cell(line_of(CMPP), 13, "9K"), 14, "NOUVELLE COLLECTIVITE")
    before = table_counts()

    with pytest.raises(IntegrityError):
        run(with_line(CMPP_LINE, line))

    # The categories, the stub OG and the new département were written before the failure.
    assert table_counts() == before


# ---------------------------------------------------------------------------------------------
# The management command
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def extract_file(tmp_path):
    path = tmp_path / "etalab-cs1100502-extrait-20260512.csv"
    path.write_text(EXTRACT_TEXT, encoding="utf-8")
    return path


def call(*args):
    out = io.StringIO()
    call_command("import_finess", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_command_imports_and_prints_a_french_summary(extract_file):
    output = call(extract_file)

    assert "Import appliqué — etalab-cs1100502-extrait-20260512.csv — ESMS seulement" in output
    assert "Lignes lues : 14 (encodage utf-8, type et)" in output
    assert "  Créée : 5\n" in output
    assert "  Ignorée (hors champ ESMS) : 9\n" in output
    assert "  Rejetée : 0\n" in output
    assert "Organismes gestionnaires créés sans fiche" in output
    assert Esms.objects.count() == 5
    finess_import = FinessImport.objects.get()
    assert finess_import.status == StatutImport.APPLIQUE
    assert finess_import.user is None
    assert finess_import.original_name == "etalab-cs1100502-extrait-20260512.csv"
    assert finess_import.kind == "et"
    assert finess_import.encoding == "utf-8"
    assert finess_import.counts[CREEE] == 5
    assert finess_import.counts[IGNOREE] == 9
    assert finess_import.finished_at >= finess_import.started_at
    with finess_import.file.open("rb") as kept:
        assert kept.read() == extract_file.read_bytes()


def test_command_all_option(extract_file):
    output = call(extract_file, "--all")
    assert "toutes catégories" in output
    assert "  Créée : 14\n" in output
    assert Esms.objects.count() == 14
    assert FinessImport.objects.get().include_all


def test_command_dry_run_records_a_simulation_that_can_be_applied_once(extract_file):
    output = call(extract_file, "--dry-run")

    assert output.startswith("Simulation (rien n'a été écrit)")
    assert "  Créée : 5\n" in output
    assert not Esms.objects.exists()
    assert not OrganismeGestionnaire.objects.exists()
    simulation = FinessImport.objects.get()
    assert simulation.status == StatutImport.SIMULATION
    assert simulation.file.storage.exists(simulation.file.name)

    applied, error = apply_recorded(simulation.pk)
    assert error == ""
    assert applied.status == StatutImport.APPLIQUE
    assert Esms.objects.count() == 5

    again, error = apply_recorded(simulation.pk)
    assert error == "Cet import a déjà été appliqué : il ne peut pas l'être une seconde fois."
    assert again.status == StatutImport.APPLIQUE


def test_command_lists_the_first_rejected_lines(tmp_path):
    path = tmp_path / "finess.csv"
    path.write_text(with_line(CMPP_LINE, replace_cell(line_of(CMPP), 1, "970210127")))
    output = call(path)
    assert "  Rejetée : 1\n" in output
    assert "Lignes rejetées (1 premières sur 1) :" in output
    assert (
        "  ligne 6 [970210127] : Numéro FINESS géographique (ET) invalide : Clé de contrôle"
        in output
    )
    assert FinessImport.objects.get().rejected[0]["line"] == 6


def test_command_refuses_a_non_finess_file(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("nom;prenom\nDupont;Jean\n")
    with pytest.raises(CommandError) as error:
        call(path)
    assert str(error.value).startswith(
        "Fichier refusé : Ce fichier n'est pas une extraction FINESS"
    )
    assert error.value.returncode == 1
    failed = FinessImport.objects.get()
    assert failed.status == StatutImport.ECHEC
    assert failed.error.startswith("Ce fichier n'est pas une extraction FINESS")
    assert not Esms.objects.exists()


def run_from_argv(monkeypatch, *argv):
    # run_from_argv closes the connections when it ends; the test's transaction needs them.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    ImportFinessCommand().run_from_argv(["manage.py", "import_finess", *argv])


def test_command_exit_codes(tmp_path, extract_file, monkeypatch, capsys):
    bad = tmp_path / "contacts.csv"
    bad.write_text("nom;prenom\nDupont;Jean\n")
    with pytest.raises(SystemExit) as exit_info:
        run_from_argv(monkeypatch, str(bad))
    assert exit_info.value.code == 1
    assert "Fichier refusé : Ce fichier n'est pas une extraction FINESS" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_info:
        run_from_argv(monkeypatch, str(tmp_path / "absent.csv"))
    assert exit_info.value.code == 1
    assert "Fichier introuvable" in capsys.readouterr().err

    run_from_argv(monkeypatch, str(extract_file), "--dry-run")  # no SystemExit: exit code 0
    assert "Simulation (rien n'a été écrit)" in capsys.readouterr().out


def test_recorded_import_reports_a_database_error(extract_file, monkeypatch):
    call(extract_file, "--dry-run")
    simulation = FinessImport.objects.get()

    def failing(self, objs, *args, **kwargs):
        raise IntegrityError("panne simulée")

    monkeypatch.setattr(QuerySet, "bulk_create", failing)
    finess_import, error = apply_recorded(simulation.pk)

    assert finess_import.status == StatutImport.ECHEC
    assert error.startswith("Erreur de la base de données : rien n'a été écrit")
    assert not Esms.objects.exists()
    finess_import.refresh_from_db()
    assert finess_import.status == StatutImport.ECHEC


def test_apply_is_queued_then_applied_once_by_the_task(db):
    finess_import = FinessImport.objects.create(
        original_name="x.csv", status=StatutImport.SIMULATION, file="imports/finess/absent.csv"
    )
    queued, error = queue_apply(finess_import.pk)
    assert error == "" and queued.status == StatutImport.EN_COURS
    again, error = queue_apply(finess_import.pk)
    assert error == "Cet import est déjà en cours d'application."
    # The kept file is missing: the task records the failure instead of crashing.
    applied = apply_queued(finess_import.pk)
    assert applied.status == StatutImport.ECHEC
    assert "illisible ou introuvable" in applied.error
    assert apply_queued(finess_import.pk).status == StatutImport.ECHEC

"""Reference data of the 18-step project plan (seed 003 adapted to a grappe of ESMS,
projets/reference/plan.toml). No database."""

import re

import pytest

from projets.enums import CategorieRisque
from projets.models import EtapeReference
from projets.reference import plan

PHASES = plan()["phases"]
ETAPES = plan()["etapes"]
LIVRABLES_AMOA = plan()["livrables_amoa"]
RISQUES_COOPERATION = plan()["risques"]

TEXT_FIELDS = [
    "objectifs",
    "contenu",
    "acteurs",
    "outils_methodes",
    "documents_produits",
    "facteurs_cles_succes",
]

# Wording of the health-centre seed that must not survive the adaptation to a grappe of ESMS.
LEFTOVERS = [
    r"maisons? de santé",
    r"pôles? de santé",
    r"\bSISA\b",
    r"\bASIP\b",
    r"\bpatient",
    r"professionnels de santé",
    r"secrétaires? médicales?",
    r"assemblée générale",
    r"projet de santé",
]

# DOMAIN.md §7: step number -> documents that must appear among the step's livrables.
DOCUMENTS_ATTENDUS = {
    1: ["Note de cadrage"],
    2: ["Note de cadrage"],
    3: ["Note de cadrage"],
    4: ["existant"],
    5: ["Bilan de l'étude du marché"],
    6: ["Grille hiérarchisée des fonctionnalités"],
    7: ["prestations"],
    8: ["Cahier des charges", "Cadre de réponse"],
    9: ["Lettres d'appel d'offres", "cahier des charges", "cadre de réponse"],
    10: ["Synthèse des auditions"],
    11: ["Rapport de choix", "Comptes rendus d'entretiens"],
    12: ["Règles de gestion", "Tables de données paramétrées"],
    13: ["Modalités de reprise"],
    14: ["Protocole de recette", "Jeux de tests", "Fiches anomalies"],
    15: ["Manuels utilisateurs"],
    16: ["demandes d'évolution"],
    17: ["Rapport de bilan"],
    18: ["Expression de besoin", "Bon de commande"],
}


def _all_texts():
    for phase in PHASES:
        yield f"phase {phase['numero']} titre", phase["titre"]
        yield f"phase {phase['numero']} description", phase["description"]
    for etape in ETAPES:
        yield f"étape {etape['numero']} titre", etape["titre"]
        for field in TEXT_FIELDS:
            yield f"étape {etape['numero']} {field}", etape[field]
        for livrable in etape["livrables"]:
            yield f"étape {etape['numero']} livrable", livrable["titre"]
        if "jalon" in etape:
            yield f"étape {etape['numero']} jalon", etape["jalon"]["titre"]


def test_quatre_phases():
    assert [p["numero"] for p in PHASES] == [1, 2, 3, 4]
    assert [p["titre"] for p in PHASES] == [
        "Cadrage du projet",
        "Définition du projet",
        "Choix de la solution",
        "Mise en œuvre de la solution",
    ]
    for phase in PHASES:
        assert len(phase["description"]) >= 80


def test_dix_huit_etapes_dans_l_ordre_et_par_phase():
    assert [e["numero"] for e in ETAPES] == list(range(1, 19))
    phases = {1: range(1, 4), 2: range(4, 9), 3: range(9, 12), 4: range(12, 19)}
    expected = {numero: phase for phase, numeros in phases.items() for numero in numeros}
    assert {e["numero"]: e["phase"] for e in ETAPES} == expected


def test_titres_du_seed():
    titres = {e["numero"]: e["titre"] for e in ETAPES}
    assert titres[1] == "Définir les objectifs et le périmètre du projet"
    assert titres[8] == "Formaliser le cahier des charges"
    assert titres[11] == "Procéder au choix de la solution"
    assert titres[18] == "Commander des prestations complémentaires"


def test_rubriques_couvrent_les_champs_texte():
    assert EtapeReference.RUBRIQUES == TEXT_FIELDS


@pytest.mark.parametrize("etape", ETAPES, ids=lambda e: f"etape{e['numero']}")
def test_etape_complete(etape):
    assert etape["titre"].strip()
    for field in TEXT_FIELDS:
        text = etape[field]
        assert isinstance(text, str)
        assert len(text) >= 80, f"étape {etape['numero']}: {field} trop court"
        assert text == text.strip()
        for line in text.split("\n"):
            assert line == line.rstrip(), f"étape {etape['numero']}: espace en fin de ligne"
    assert etape["livrables"], f"étape {etape['numero']} sans livrable"
    for livrable in etape["livrables"]:
        assert set(livrable) == {"code", "titre", "validation_copil"}
        assert re.fullmatch(r"[a-z][a-z0-9_]*", livrable["code"])
        assert livrable["titre"].strip()
        assert isinstance(livrable["validation_copil"], bool)
    assert isinstance(etape["duree_semaines"], int)
    assert 1 <= etape["duree_semaines"] <= 26
    jalon = etape.get("jalon")
    assert jalon is None or (jalon["titre"].strip() and isinstance(jalon["go_no_go"], bool))


@pytest.mark.parametrize("numero,documents", sorted(DOCUMENTS_ATTENDUS.items()))
def test_documents_du_domaine_presents(numero, documents):
    etape = ETAPES[numero - 1]
    titres = " | ".join(livrable["titre"] for livrable in etape["livrables"]).casefold()
    for document in documents:
        assert document.casefold() in titres, f"étape {numero}: « {document} » absent"


def test_plus_de_vocabulaire_maison_de_sante():
    for where, text in _all_texts():
        for pattern in LEFTOVERS:
            assert not re.search(pattern, text, re.IGNORECASE), f"{where}: « {pattern} »"


def test_vocabulaire_de_la_grappe():
    texts = " ".join(text for _, text in _all_texts())
    for word in ["ESMS", "COPIL", "chef de projet", "AMOA", "référents DUI", "RESAH", "SAD"]:
        assert word in texts


def test_codes_de_livrables_uniques():
    codes = [livrable["code"] for e in ETAPES for livrable in e["livrables"]]
    codes += [livrable["code"] for livrable in LIVRABLES_AMOA]
    assert len(codes) == len(set(codes))


def test_jalons_go_no_go():
    go_no_go = {e["numero"] for e in ETAPES if e.get("jalon", {}).get("go_no_go")}
    assert go_no_go == {3, 8, 11, 14}
    assert ETAPES[2]["jalon"]["titre"] == "Note de cadrage approuvée par le COPIL"
    assert ETAPES[10]["jalon"]["titre"] == "Choix de la solution validé par le COPIL"
    assert ETAPES[13]["jalon"]["titre"] == "Recette prononcée / go pour le démarrage"
    assert ETAPES[16]["jalon"] == {"titre": "Bilan présenté au COPIL", "go_no_go": False}


def test_livrables_cles_valides_par_le_copil():
    valides = {
        livrable["code"]
        for e in ETAPES
        for livrable in e["livrables"]
        if livrable["validation_copil"]
    }
    assert {"note_cadrage", "cahier_des_charges", "rapport_choix", "rapport_bilan"} <= valides


def test_livrables_amoa():
    assert len(LIVRABLES_AMOA) == 8
    for livrable in LIVRABLES_AMOA:
        assert set(livrable) == {"code", "titre", "validation_copil", "recurrent"}
        assert isinstance(livrable["validation_copil"], bool)
        assert isinstance(livrable["recurrent"], bool)
    titres = [livrable["titre"] for livrable in LIVRABLES_AMOA]
    assert titres[0] == "Planning de l'AMOA"
    by_code = {livrable["code"]: livrable for livrable in LIVRABLES_AMOA}
    # Seed 000 §1.4: COPIL material and minutes are validated by the COPIL before diffusion.
    assert by_code["supports_cr_copil"]["validation_copil"] is True
    assert by_code["supports_cr_copil"]["recurrent"] is True
    assert by_code["rapport_avancement"]["recurrent"] is True
    assert by_code["rapport_risques"]["recurrent"] is True
    for expected in ["Plan de tests", "Plan de communication", "bilan de projet"]:
        assert any(expected in titre for titre in titres)


def test_risques_cooperation():
    categories = set(CategorieRisque.values)
    assert categories == {
        "cooperation",
        "gouvernance",
        "technique",
        "planning",
        "budget",
        "usages",
        "fournisseur",
        "donnees",
    }
    assert 10 <= len(RISQUES_COOPERATION) <= 15
    titres = [risque["titre"] for risque in RISQUES_COOPERATION]
    assert len(titres) == len(set(titres))
    for risque in RISQUES_COOPERATION:
        assert set(risque) == {"titre", "categorie", "description", "mitigation"}
        assert risque["categorie"] in categories
        assert risque["description"].strip() and risque["mitigation"].strip()
    # Seed 004, "Les causes fréquentes d'échec de la coopération".
    for cause in ["Prise de pouvoir", "Instabilité de la gouvernance", "Complexité du projet"]:
        assert any(titre.startswith(cause) for titre in titres)

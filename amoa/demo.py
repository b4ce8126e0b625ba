"""Demo data of the app (called by `python manage.py seed_demo`): a scored, ranked AMOA
consultation with a recorded choice. Idempotent: nothing is written when it already exists."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from openpyxl import load_workbook

from amoa import cadre
from amoa.enums import (
    PIECES_REQUISES,
    PIECES_REQUISES_EDITEUR,
    Couverture,
    Mission,
    NatureCout,
    ObjetConsultation,
    StatutConsultation,
    TypePiece,
)
from amoa.models import (
    Audition,
    Candidat,
    Choix,
    Consensus,
    Consultant,
    Consultation,
    EtapeOffre,
    Evaluation,
    GrilleFonctionnelle,
    ImportReponse,
    Note,
    Offre,
    PieceOffre,
    ResultatIndispensable,
    SolutionEtudiee,
)
from amoa.services import apply_parsed, record_choice
from core.pdf import simple_pdf

PARIS = ZoneInfo("Europe/Paris")
AMOA_DEADLINE = datetime.datetime(2026, 1, 14, 12, tzinfo=PARIS)
DUI_DEADLINE = datetime.datetime(2026, 10, 16, 12, tzinfo=PARIS)
DUI_CHOICE = datetime.datetime(2026, 11, 24, 17, tzinfo=PARIS)

TITRE = "Assistance à maîtrise d'ouvrage — choix et déploiement du DUI"

# (société, contact, prix global, prix jour, reçue (jours avant/après la date limite),
#  pièces manquantes, consultants)
CANDIDATS = [
    (
        "Cap Médico-Social Conseil",
        "Thomas Girard",
        Decimal(58000),
        Decimal(850),
        -3,
        [],
        [("Thomas Girard", "consultant.amoa@demo.grappe.fr", "Directeur de mission")],
    ),
    (
        "Nord Santé Numérique",
        "Élise Caron",
        Decimal(52000),
        Decimal(950),
        -1,
        [],
        [("Élise Caron", "elise.caron@nord-sante-numerique.fr", "Consultante senior")],
    ),
    (
        "Hauts-de-France Organisation",
        "Marc Lenoir",
        Decimal(45000),
        Decimal(800),
        1,
        [],
        [("Marc Lenoir", "", "Consultant")],
    ),
    (
        "Atelier Conseil ESMS",
        "Nora Saidi",
        Decimal(39000),
        Decimal(750),
        -2,
        [TypePiece.URSSAF, TypePiece.ASSURANCE],
        [("Nora Saidi", "", "Consultante")],
    ),
]
ETAPES = [
    ("Dossier de consultation RESAH et publication", Decimal(6), "Cahier des charges validé"),
    ("Analyse des offres et auditions des éditeurs", Decimal(8), "Offres reçues"),
    ("Gouvernance, planning et préparation des COPIL", Decimal(20), "Comités constitués"),
    ("Recette, conduite du changement et bilan", Decimal(30), "Solution retenue"),
]
# Scores of the three evaluators (comité de sélection) on the first two offers.
SCORES = {
    0: {
        "methodologie": (8, 9, 8),
        "experience": (8, 8, 8),
        "cadre_planning": (4, 5, 4),
        "audition": (9, 8, 9),
        "montee_competence": (4, 4, 4),
    },
    1: {
        "methodologie": (7, 5, 6),
        "experience": (7, 6, 7),
        "cadre_planning": (3, 4, 3),
        "audition": (6, 7, 6),
        "montee_competence": (3, 3, 3),
    },
}
JUSTIFICATIONS = {
    "methodologie": "Démarche détaillée étape par étape, outils adaptés au médico-social.",
    "experience": "Références de grappes ESMS numérique comparables.",
    "cadre_planning": "Planning cohérent avec le calendrier de l'AAP.",
    "audition": "Réponses précises aux questions du comité.",
    "montee_competence": "Transfert de compétences au chef de projet prévu.",
}


def _piece_pdf():
    # A small hand-written PDF: rendering through WeasyPrint costs a second for a placeholder.
    return simple_pdf(["Pièce de démonstration d'une offre", "Document fictif."])


@transaction.atomic
def seed(grappe, people):
    seed_amoa(grappe, people)
    seed_dui(grappe, people)


def seed_amoa(grappe, people):
    if Consultation.objects.filter(grappe=grappe, titre=TITRE).exists():
        return
    # Offers were due on 14/01/2026 at noon, the choice made on 30/01: the AMOA works on the
    # plan from February 2026 (projets.demo), a date that stays in the past.
    deadline = AMOA_DEADLINE
    consultation = Consultation.objects.create(
        grappe=grappe,
        titre=TITRE,
        missions=[Mission.MARCHE, Mission.PROJET],
        budget=Decimal(110000),
        statut=StatutConsultation.EVALUATION,  # attribuée by record_choice below
        publiee_le=(deadline - datetime.timedelta(days=30)).date(),
        questions_avant=(deadline - datetime.timedelta(days=10)).date(),
        offres_avant=deadline,
        auditions_du=(deadline + datetime.timedelta(days=14)).date(),
        auditions_au=(deadline + datetime.timedelta(days=15)).date(),
        contact_nom=people["porteur"].get_full_name(),
        contact_email=people["porteur"].email,
        contact_telephone="03 28 00 00 00",
        cahier={
            "auditions_heure": "09:30",
            "auditions_lieu": f"au siège de {grappe.porteur}" if grappe.porteur else "à Lille",
        },
        created_by=people["porteur"],
    )
    consultation.ensure_default_criteres()
    criteres = {c.code: c for c in consultation.criteres.all()}
    content = _piece_pdf()
    offres = []
    for societe, contact, total, rate, delay, missing, consultants in CANDIDATS:
        candidat = Candidat.objects.create(
            consultation=consultation,
            societe=societe,
            contact_nom=contact,
            email=consultants[0][1] or "",
            telephone="03 20 00 00 00",
        )
        for nom, email, fonction in consultants:
            Consultant.objects.create(candidat=candidat, nom=nom, email=email, fonction=fonction)
        offre = Offre.objects.create(
            consultation=consultation,
            candidat=candidat,
            received_at=deadline + datetime.timedelta(days=delay, hours=-2 if delay < 0 else 3),
            prix_total_ht=total,
            prix_jour_ht=rate,
            created_by=people["porteur"],
        )
        for ordre, (etape, jours, prerequis) in enumerate(ETAPES, 1):
            EtapeOffre.objects.create(
                offre=offre,
                etape=etape,
                nb_jours=jours,
                prerequis=prerequis,
                ressources_internes="Chef de projet et référents DUI",
                ordre=ordre,
            )
        for code in PIECES_REQUISES:
            if code in missing:
                continue
            piece = PieceOffre(
                offre=offre,
                type=code,
                original_name=f"{code}.pdf",
                size=len(content),
                content_type="application/pdf",
                uploaded_by=people["porteur"],
            )
            piece.file.save(f"{code}.pdf", ContentFile(content), save=False)
            piece.save()
        offres.append(offre)

    evaluators = [people["copil1"], people["copil2"], people["porteur"]]
    for position, user in enumerate(evaluators):
        evaluation = Evaluation.objects.create(
            consultation=consultation,
            evaluateur=user,
            soumise_le=deadline + datetime.timedelta(days=10 + position),
        )
        for index, per_criterion in SCORES.items():
            for code, values in per_criterion.items():
                Note.objects.create(
                    evaluation=evaluation,
                    offre=offres[index],
                    critere=criteres[code],
                    valeur=Decimal(values[position]),
                    justification=JUSTIFICATIONS[code],
                )
    Consensus.objects.create(
        offre=offres[1],
        critere=criteres["methodologie"],
        valeur=Decimal(6),
        motif="Écart de 2 points discuté en comité : méthodologie correcte mais peu détaillée "
        "sur la recette.",
        par=people["copil1"],
        le=deadline + datetime.timedelta(days=12),
    )
    for offre, synthese in (
        (offres[0], "Équipe disponible, bonne connaissance des grappes ESMS numérique."),
        (offres[1], "Solide sur la procédure RESAH, moins sur la conduite du changement."),
    ):
        Audition.objects.create(
            offre=offre,
            date=deadline + datetime.timedelta(days=14, hours=2),
            synthese=synthese,
            created_by=people["porteur"],
        )
    # Recorded like the ranking page does: the ranking is frozen with the choice.
    record_choice(
        Choix(
            consultation=consultation,
            offre=offres[0],
            decision="Meilleure méthodologie et audition convaincante ; prix de journée le plus "
            "bas parmi les offres classées.",
            date=(deadline + datetime.timedelta(days=16)).date(),
        ),
        people["porteur"],
        when=deadline + datetime.timedelta(days=16, hours=5),
    )


# --- Choosing the DUI (seed 003 steps 5–11) -------------------------------------------------

TITRE_DUI = "Choix de la solution DUI de la grappe"
# (éditeur, solution, référencé SAD, couverts, non couverts, forces, faiblesses, motif écarté)
ETUDE_MARCHE = [
    (
        "Médi-Logis",
        "Médi-Logis ESMS",
        True,
        "Tous les domaines de la grille",
        "",
        "Très présent en EHPAD et SSIAD de la région ; application mobile hors connexion.",
        "Facturation à compléter par un module tiers.",
        "",
    ),
    (
        "Accompagner+",
        "A+ Dossier usager",
        True,
        "Dossier, projet personnalisé, agenda, transmissions, DMP, MSSanté",
        "Circuit du médicament (partenaire)",
        "Ergonomie saluée par les équipes éducatives ; SERAFIN-PH natif.",
        "Circuit du médicament par un partenaire.",
        "",
    ),
    (
        "Soins & Domicile",
        "SD Connect",
        True,
        "Domicile, transmissions, agenda",
        "INS, facturation hébergement",
        "Planification des tournées.",
        "Pas d'appel INSi à ce jour.",
        "",
    ),
    (
        "Hospi-Suite",
        "HS Médico-social",
        False,
        "Dossier de soins, circuit du médicament",
        "Projet personnalisé, domicile",
        "Robuste côté soins.",
        "Pensé pour le sanitaire.",
        "Non référencé au Système d'Acquisition Dynamique du RESAH (obligatoire pour PA, PH "
        "et domicile).",
    ),
    (
        "Local Soft",
        "Registre ESMS",
        False,
        "Dossier administratif",
        "Soins, DMP, MSSanté, INS",
        "Prix bas.",
        "Ni DMP ni MSSanté : non conforme aux volets Ségur.",
        "Ne couvre pas les exigences Ségur (DMP, MSSanté, INS).",
    ),
]
# (éditeur, exigences impossibles, exigences développables {code: coût}, prix, notes)
OFFRES_DUI = [
    (
        "Médi-Logis",
        [],
        {"FAC-03": 3500},
        [
            ("installation", "Mise en service des 16 ESMS", 0, 12000),
            ("parametrage", "Paramétrage et règles de gestion", 0, 9000),
            ("reprise", "Reprise des dossiers existants", 0, 6000),
            ("formation", "Formation initiale des référents", 0, 8000),
            ("licences", "Abonnement (16 ESMS)", None, 24000),
            ("hebergement", "Hébergement HDS", None, 6000),
            ("materiel", "Tablettes pour le domicile", 0, 7000),
            ("complementaire", "Formation des nouveaux arrivants", 2, 2500),
        ],
        {"architecture": (8, 9, 8), "prestations": (8, 8, 7), "mise_en_oeuvre": (9, 8, 9)},
    ),
    (
        "Accompagner+",
        ["AGE-03"],
        {"MED-03": 6000, "FAC-01": 5000},
        [
            ("installation", "Installation", 0, 8000),
            ("parametrage", "Paramétrage", 0, 7000),
            ("reprise", "Reprise de données", 0, 5000),
            ("formation", "Formation", 0, 6000),
            ("licences", "Licences (par poste)", None, 21000),
            ("maintenance", "Maintenance", None, 4000),
            ("hebergement", "Hébergement HDS", None, 5000),
            ("garantie", "Extension de garantie des serveurs", 1, 1500),
            ("hors_forfait", "Interface comptable", 0, 3000),
        ],
        {"architecture": (9, 8, 9), "prestations": (7, 6, 7), "mise_en_oeuvre": (7, 7, 6)},
    ),
    (
        "Soins & Domicile",
        ["INS-01", "FAC-01"],
        {},
        [
            ("installation", "Installation", 0, 5000),
            ("licences", "Abonnement", None, 15000),
            ("hebergement", "Hébergement", None, 3000),
        ],
        {"architecture": (6, 7, 6), "prestations": (6, 6, 5), "mise_en_oeuvre": (5, 6, 5)},
    ),
]


def _filled_cadre(consultation, grille, impossibles, developpables, prix):
    """The exported cadre de réponse as an éditeur fills it (XLSX bytes)."""
    labels = dict(Couverture.choices)
    natures = dict(NatureCout.choices)
    workbook = load_workbook(io.BytesIO(cadre.export_xlsx(consultation, grille.tree())))
    sheet = workbook[cadre.SHEET_EXIGENCES]
    for row in range(cadre.HEADER_ROW + 1, sheet.max_row + 1):
        code = sheet.cell(row=row, column=1).value
        if code in impossibles:
            sheet.cell(row=row, column=6).value = labels[Couverture.IMPOSSIBLE]
        elif code in developpables:
            sheet.cell(row=row, column=6).value = labels[Couverture.DEVELOPPABLE]
            sheet.cell(row=row, column=7).value = "30/06/2027"
            sheet.cell(row=row, column=8).value = developpables[code]
        else:
            sheet.cell(row=row, column=6).value = labels[Couverture.COUVERT]
    prices = workbook[cadre.SHEET_PRIX]
    prices.delete_rows(cadre.HEADER_ROW + 1, prices.max_row)
    for nature, libelle, annee, montant in prix:
        prices.append([natures[nature], libelle, annee, montant])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_dui(grappe, people):
    porteur = people["porteur"]
    grille = GrilleFonctionnelle.from_reference(grappe, porteur)
    if not SolutionEtudiee.objects.filter(grappe=grappe).exists():
        for ordre, row in enumerate(ETUDE_MARCHE, 1):
            editeur, solution, sad, couverts, non_couverts, forces, faiblesses, motif = row
            SolutionEtudiee.objects.create(
                grappe=grappe,
                editeur=editeur,
                solution=solution,
                reference_sad=sad,
                domaines_couverts=couverts,
                domaines_non_couverts=non_couverts,
                forces=forces,
                faiblesses=faiblesses,
                elimine=bool(motif),
                motif_elimination=motif,
                ordre=ordre,
            )
    if Consultation.objects.filter(grappe=grappe, titre=TITRE_DUI).exists():
        return
    # Offers due at the end of step 9 (16/10/2026), auditions on 27–28/10 (step 10), the
    # éditeurs' answers to COPIL n° 3 (17/11) by 23/11, the comité de sélection's choice on
    # 24/11: before the COPIL n° 4 that examines the rapport de choix (projets.demo). Fixed
    # dates, in the past for any demo today from 04/12/2026 on.
    deadline = DUI_DEADLINE
    consultation = Consultation.objects.create(
        grappe=grappe,
        titre=TITRE_DUI,
        objet=ObjetConsultation.EDITEUR,
        tco_annees=3,
        missions=[],
        statut=StatutConsultation.EVALUATION,  # attribuée by record_choice below
        publiee_le=(deadline - datetime.timedelta(days=30)).date(),
        offres_avant=deadline,
        auditions_du=(deadline + datetime.timedelta(days=11)).date(),
        auditions_au=(deadline + datetime.timedelta(days=12)).date(),
        contact_nom=porteur.get_full_name(),
        contact_email=porteur.email,
        created_by=porteur,
    )
    consultation.ensure_default_criteres()
    criteres = {c.code: c for c in consultation.criteres.all()}
    exigences = {e.code: e for e in grille.exigences.all()}
    content = _piece_pdf()
    offres = []
    for editeur, impossibles, developpables, prix, _ in OFFRES_DUI:
        candidat = Candidat.objects.create(
            consultation=consultation, societe=editeur, telephone="03 20 00 00 00"
        )
        offre = Offre.objects.create(
            consultation=consultation,
            candidat=candidat,
            received_at=deadline - datetime.timedelta(days=1),
            created_by=porteur,
        )
        for code in PIECES_REQUISES_EDITEUR:
            piece = PieceOffre(
                offre=offre,
                type=code,
                original_name=f"{code}.pdf",
                size=len(content),
                content_type="application/pdf",
                uploaded_by=porteur,
            )
            piece.file.save(f"{code}.pdf", ContentFile(content), save=False)
            piece.save()
        filled = _filled_cadre(consultation, grille, impossibles, developpables, prix)
        parsed = cadre.parse(filled, exigences)
        record = ImportReponse(
            offre=offre,
            original_name=f"cadre-de-reponse-{editeur}.xlsx",
            rapport=parsed.report(),
            valide=parsed.ok,
            applique_le=deadline + datetime.timedelta(days=1),
            par=porteur,
        )
        record.file.save(record.original_name, ContentFile(filled), save=False)
        record.save()
        apply_parsed(offre, parsed)
        for code in ("segur", "dmp", "hds"):
            ResultatIndispensable.objects.create(
                offre=offre, critere=criteres[code], satisfait=True, par=porteur
            )
        offres.append(offre)

    evaluators = [people["copil1"], people["copil2"], porteur]
    for position, user in enumerate(evaluators):
        evaluation, _ = Evaluation.objects.get_or_create(
            consultation=consultation,
            evaluateur=user,
            defaults={"soumise_le": deadline + datetime.timedelta(days=14 + position)},
        )
        for offre, (*_, notes) in zip(offres, OFFRES_DUI, strict=True):
            for code, values in notes.items():
                Note.objects.create(
                    evaluation=evaluation,
                    offre=offre,
                    critere=criteres[code],
                    valeur=Decimal(values[position]),
                    justification="Constaté lors de la démonstration et de l'audition.",
                )
    questions = (
        "1. Montrez la saisie d'une transmission ciblée en mobilité, hors connexion.\n"
        "2. Comment l'identité INS est-elle qualifiée à l'admission ?\n"
        "3. Quel est le planning de reprise des données des 16 ESMS ?"
    )
    for offre, synthese in (
        (offres[0], "Démonstration sur des cas d'usage de la grappe : tournées, transmissions."),
        (offres[1], "Interface appréciée ; circuit du médicament à développer (échéance 2027)."),
    ):
        Audition.objects.create(
            offre=offre,
            date=deadline + datetime.timedelta(days=11, hours=-2),
            questions=questions,
            synthese=synthese,
            created_by=porteur,
        )
    record_choice(
        Choix(
            consultation=consultation,
            offre=offres[0],
            decision="Couverture complète des exigences indispensables, coût total sur 3 ans "
            "maîtrisé (coûts cachés compris) et références en ESMS.",
            date=DUI_CHOICE.date(),
        ),
        porteur,
        when=DUI_CHOICE,
    )

"""Demo data of the app (called by `python manage.py seed_demo`): a scored, ranked AMOA
consultation with a recorded choice. Idempotent: nothing is written when it already exists."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from amoa.enums import PIECES_REQUISES, Mission, StatutConsultation, TypePiece
from amoa.models import (
    Audition,
    Candidat,
    Choix,
    Consensus,
    Consultant,
    Consultation,
    EtapeOffre,
    Evaluation,
    Note,
    Offre,
    PieceOffre,
)

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
    from core.pdf import render_pdf

    return render_pdf(
        "amoa/pdf/piece_demo.html", {}, title="Pièce de démonstration d'une offre AMOA"
    )


@transaction.atomic
def seed(grappe, people):
    if Consultation.objects.filter(grappe=grappe, titre=TITRE).exists():
        return
    # Offers were due 40 days ago at noon (local time).
    deadline = timezone.localtime() - datetime.timedelta(days=40)
    deadline = deadline.replace(hour=12, minute=0, second=0, microsecond=0)
    consultation = Consultation.objects.create(
        grappe=grappe,
        titre=TITRE,
        missions=[Mission.MARCHE, Mission.PROJET],
        budget=Decimal(110000),
        statut=StatutConsultation.ATTRIBUEE,
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
    Choix.objects.create(
        consultation=consultation,
        offre=offres[0],
        decision="Offre classée première : meilleure méthodologie et audition convaincante ; "
        "prix de journée le plus bas parmi les offres classées.",
        date=(deadline + datetime.timedelta(days=16)).date(),
        par=people["porteur"],
    )

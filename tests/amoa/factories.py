import datetime
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from openpyxl import load_workbook

from amoa import cadre
from amoa.enums import PIECES_REQUISES, PIECES_REQUISES_EDITEUR, Mission, ObjetConsultation
from amoa.models import (
    Candidat,
    Consultation,
    Evaluation,
    GrilleFonctionnelle,
    Note,
    Offre,
    PieceOffre,
)
from grappe.enums import RoleComite, TypeComite
from grappe.models import Comite, ComiteMember
from tests.grappe.factories import GrappeFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DEADLINE = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


class ConsultationFactory(DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    grappe = factory.SubFactory(GrappeFactory)
    titre = factory.Sequence(lambda n: f"Consultation AMOA {n}")
    missions = factory.LazyFunction(lambda: [Mission.MARCHE, Mission.PROJET])
    budget = Decimal(100000)
    offres_avant = DEADLINE

    @factory.post_generation
    def criteres(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            obj.ensure_default_criteres()


def make_offre(
    consultation,
    societe,
    prix_total=Decimal(60000),
    prix_jour=Decimal(900),
    received_at=None,
    pieces=None,
):
    """An offer with every required piece (or only `pieces`)."""
    candidat = Candidat.objects.create(
        consultation=consultation, societe=societe, email=f"{societe.lower()[:8]}@exemple.fr"
    )
    offre = Offre.objects.create(
        consultation=consultation,
        candidat=candidat,
        received_at=received_at or DEADLINE - datetime.timedelta(days=1),
        prix_total_ht=prix_total,
        prix_jour_ht=prix_jour,
    )
    for code in PIECES_REQUISES if pieces is None else pieces:
        piece = PieceOffre(
            offre=offre,
            type=code,
            original_name=f"{code}.pdf",
            size=len(PDF),
            content_type="application/pdf",
            uploaded_at=timezone.now(),
        )
        piece.file.save(f"{code}.pdf", ContentFile(PDF), save=False)
        piece.save()
    return offre


def evaluator(grappe, user=None, role=RoleComite.MEMBRE):
    """A member of the grappe's comité de sélection (with a vote unless invited)."""
    user = user or UserFactory()
    comite, _ = Comite.objects.get_or_create(grappe=grappe, kind=TypeComite.SELECTION)
    ComiteMember.objects.create(comite=comite, user=user, role=role)
    return user


def score(consultation, user, offre, values, submit=False):
    """Notes of `user` on `offre`: {criterion code: value}."""
    evaluation, _ = Evaluation.objects.get_or_create(consultation=consultation, evaluateur=user)
    criteres = {c.code: c for c in consultation.criteres.all()}
    for code, value in values.items():
        Note.objects.update_or_create(
            evaluation=evaluation,
            offre=offre,
            critere=criteres[code],
            defaults={"valeur": Decimal(value), "justification": f"Justification {code}"},
        )
    if submit:
        evaluation.soumise_le = timezone.now()
        evaluation.save()
    return evaluation


# --- Choosing the DUI ------------------------------------------------------------------------


def editeur_consultation(grappe, **kwargs):
    """An éditeur consultation with its proposed criteria and the grappe's grid (reference)."""
    GrilleFonctionnelle.from_reference(grappe)
    kwargs.setdefault("titre", "Choix du DUI")
    kwargs.setdefault("missions", [])
    return ConsultationFactory(grappe=grappe, objet=ObjetConsultation.EDITEUR, **kwargs)


def make_offre_editeur(consultation, societe, received_at=None):
    """An éditeur's offer with its signed commitment (the required piece)."""
    return make_offre(
        consultation,
        societe,
        prix_total=None,
        prix_jour=None,
        received_at=received_at,
        pieces=PIECES_REQUISES_EDITEUR,
    )


def filled_cadre(consultation, answers=None, default="Couvert", prices=None, tweak=None):
    """The exported cadre de réponse filled like an éditeur would: `answers` {code: (answer,
    échéance, coût)} overrides `default`; `prices` [(nature label, libellé, année, montant)];
    `tweak(workbook)` damages it for the error tests. Returns XLSX bytes."""

    grille = consultation.grappe.grille_fonctionnelle
    content = cadre.export_xlsx(consultation, grille.tree())
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[cadre.SHEET_EXIGENCES]
    answers = answers or {}
    for row in range(cadre.HEADER_ROW + 1, sheet.max_row + 1):
        code = sheet.cell(row=row, column=1).value
        answer, echeance, cout = answers.get(code, (default, None, None))
        sheet.cell(row=row, column=6).value = answer
        sheet.cell(row=row, column=7).value = echeance
        sheet.cell(row=row, column=8).value = cout
    prix = workbook[cadre.SHEET_PRIX]
    prix.delete_rows(cadre.HEADER_ROW + 1, prix.max_row)
    for line in prices or []:
        prix.append(list(line))
    if tweak:
        tweak(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# A price structure: 10 000 at acquisition (installation 4 000, paramétrage 3 000, reprise
# 2 000, formation 1 000), licences 6 000 and hosting 2 000 a year, hardware 5 000 (hidden).
PRIX_TYPE = [
    ("Installation", "Mise en service", 0, 4000),
    ("Paramétrage", "Paramétrage des 16 ESMS", 0, 3000),
    ("Reprise de données", "Reprise des dossiers", 0, 2000),
    ("Formation", "Formation initiale", 0, 1000),
    ("Licences / droits d'usage", "Abonnement", None, 6000),
    ("Hébergement", "Hébergement HDS", None, 2000),
    ("Matériel nécessaire", "Tablettes", 0, 5000),
]


def exigences(consultation):
    """The grappe's requirements by code."""
    return {e.code: e for e in consultation.grappe.grille_fonctionnelle.exigences.all()}


def set_cell(sheet_name, row, column, value):
    """A tweak for `filled_cadre`: one cell of the workbook set to `value`."""

    def tweak(workbook):
        workbook[sheet_name].cell(row=row, column=column).value = value

    return tweak

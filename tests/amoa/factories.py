import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from amoa.enums import PIECES_REQUISES, Mission
from amoa.models import Candidat, Consultation, Evaluation, Note, Offre, PieceOffre
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

import datetime
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from grappe.enums import RoleComite
from projets.enums import CategorieRisque, StatutCompteRendu, StatutVersion, TypeReunion
from projets.models import Action, CompteRendu, LivrableVersion, Reunion, Risque
from projets.services import instantiate_plan
from tests.grappe.factories import GrappeFactory, UserFactory, copil_member


def plan_for(grappe, start_on=datetime.date(2026, 1, 5), user=None):
    """The grappe's plan copied from the reference plan (18 steps, 6 milestones, 41 deliverables)."""
    return instantiate_plan(grappe, start_on, user)


def copil_voters(grappe, count=3):
    """`count` extra voting COPIL members."""
    return [copil_member(grappe, role=RoleComite.MEMBRE) for _ in range(count)]


class ReunionFactory(DjangoModelFactory):
    """A COPIL meeting on Wednesday 10 June 2026, 14:00–16:00 in Paris. Like the meeting form
    (projets.forms.reunions), a comité's meeting belongs to that comité, a workshop to none."""

    class Meta:
        model = Reunion

    grappe = factory.SubFactory(GrappeFactory)
    kind = TypeReunion.COPIL
    comite = factory.LazyAttribute(
        lambda o: None if o.kind == TypeReunion.ATELIER else o.grappe.comite(o.kind)
    )
    titre = "COPIL n°2"
    starts_at = datetime.datetime(2026, 6, 10, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    lieu = "Salle du conseil, Lille"


class ActionFactory(DjangoModelFactory):
    """An action decided in a meeting, owned by someone, with no due date."""

    class Meta:
        model = Action

    reunion = factory.SubFactory(ReunionFactory)
    grappe = factory.LazyAttribute(lambda o: o.reunion.grappe)
    titre = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)


class CompteRenduFactory(DjangoModelFactory):
    """A draft of a meeting's minutes, written by a new user: the meeting's next version."""

    class Meta:
        model = CompteRendu

    reunion = factory.SubFactory(ReunionFactory)
    numero = factory.LazyAttribute(lambda o: o.reunion.comptes_rendus.count() + 1)
    statut = StatutCompteRendu.BROUILLON
    redige_par = factory.SubFactory(UserFactory)


class LivrableVersionFactory(DjangoModelFactory):
    """The deliverable's next version, a small PDF deposited by a new user. `file` only names the
    file: nothing is written to storage. `livrable` is required (plan_for)."""

    class Meta:
        model = LivrableVersion

    numero = factory.LazyAttribute(lambda o: o.livrable.versions.count() + 1)
    original_name = "note.pdf"
    file = factory.LazyAttribute(lambda o: f"livrables/{o.original_name}")
    size = 10
    content_type = "application/pdf"
    status = StatutVersion.DEPOSEE
    uploaded_by = factory.SubFactory(UserFactory)


class RisqueFactory(DjangoModelFactory):
    """An open planning risk of criticality 4 (2 × 2). `plan` is required (plan_for)."""

    class Meta:
        model = Risque

    titre = "Risque"
    categorie = CategorieRisque.PLANNING
    probabilite = 2
    impact = 2

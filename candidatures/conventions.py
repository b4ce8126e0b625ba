"""The financing convention of a retained dossier (issue 14, « convention de financement »).

The ARS prepares it with the amount it grants — the request frozen at filing, or less with the
reason —, the tranches split by the call's AapTranche percentages (indicateurs.services), then
records its signature: the amount becomes the grappe's `convention_amount`, the signature date its
`convention_signed_on`, the tranches are created and the signature tranche falls due
(indicateurs.services.ensure_tranches), for the ARS to record its payment as any other.
Functions refuse what the state forbids with ConventionRefusee (a French message); who may call
them is the views' business (candidatures.perms)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from candidatures.enums import StatutCandidature
from candidatures.models import Candidature, Convention
from core.money import euros
from grappe.enums import EvenementTranche
from grappe.models import AapTranche, Grappe, HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from indicateurs.services import DEFAULT_TRANCHES, ensure_tranches, split_amount


class ConventionRefusee(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def echeancier(convention):
    """[(numero, pourcentage, event label, amount)] of the convention's tranches: the call's
    split (50/50 at signature and at the usage targets by default), to the cent."""
    aap = convention.candidature.campagne.aap
    rows = list(AapTranche.objects.filter(aap=aap).order_by("numero"))
    if rows:
        split = [(row.numero, row.pourcentage, row.get_evenement_display()) for row in rows]
    else:
        labels = [EvenementTranche.SIGNATURE.label, EvenementTranche.CIBLES.label]
        split = [(n, p, label) for (n, p), label in zip(DEFAULT_TRANCHES, labels, strict=True)]
    amounts = split_amount(convention.montant_accorde, [p for _, p, _ in split])
    return [(n, p, label, amount) for (n, p, label), amount in zip(split, amounts, strict=True)]


def _check_amount(candidature, montant, motif):
    demande = candidature.montant_demande
    if montant is None or montant <= 0:
        raise ConventionRefusee("Indiquez le montant accordé.")
    if demande is not None and montant > demande:
        raise ConventionRefusee(
            f"Le montant accordé ({euros(montant)}) ne peut dépasser le montant demandé "
            f"({euros(demande)})."
        )
    if demande is not None and montant < demande and not motif:
        raise ConventionRefusee(
            f"Le montant accordé est inférieur à la demande ({euros(demande)}) : motivez l'écart."
        )


def preparer(candidature, montant, motif, user):
    """Prepare (or correct, until signed) the convention of a retained dossier."""
    motif = (motif or "").strip()
    montant = Decimal(montant).quantize(Decimal("0.01")) if montant is not None else None
    with transaction.atomic():
        candidature = Candidature.objects.select_for_update(of=("self",)).get(pk=candidature.pk)
        if candidature.statut != StatutCandidature.RETENUE:
            raise ConventionRefusee("Seul un dossier retenu reçoit une convention de financement.")
        _check_amount(candidature, montant, motif)
        convention = Convention.objects.filter(candidature=candidature).first()
        if convention is not None and convention.signee:
            raise ConventionRefusee("La convention est signée : elle ne se modifie plus.")
        if convention is None:
            convention = Convention(candidature=candidature, created_by=user)
        convention.montant_accorde = montant
        convention.motif_ecart = motif if montant != candidature.montant_demande else ""
        convention.save()
        HistoryEntry.record(
            candidature.grappe,
            user,
            "Convention de financement préparée",
            candidature.campagne,
            {
                "Montant demandé": euros(candidature.montant_demande),
                "Montant accordé": euros(montant),
                **({"Motif de l'écart": convention.motif_ecart} if convention.motif_ecart else {}),
            },
        )
    return convention


def signer(convention, signee_le, user, today=None):
    """Record the signature: the grappe's convention amount and date, its tranches, the
    signature tranche due. Refused for a date in the future, before the decision, or when the
    grappe already has a signed convention or paid tranches."""
    today = today or timezone.localdate()
    with transaction.atomic():
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        candidature = Candidature.objects.select_for_update().get(pk=convention.candidature_id)
        grappe = Grappe.objects.select_for_update().get(pk=candidature.grappe_id)
        if candidature.statut != StatutCandidature.RETENUE:
            raise ConventionRefusee(
                "Le dossier n'est plus retenu : la convention ne peut pas être signée."
            )
        if convention.signee:
            raise ConventionRefusee(
                f"La convention est déjà signée (le {convention.signee_le:%d/%m/%Y})."
            )
        if signee_le is None or signee_le > today:
            raise ConventionRefusee("La date de signature ne peut pas être dans le futur.")
        decision = candidature.decisions.order_by("-created_at", "-pk").first()
        if decision is not None and signee_le < decision.date:
            raise ConventionRefusee(
                f"La convention ne peut être signée avant la décision de sélection "
                f"({decision.date:%d/%m/%Y})."
            )
        if grappe.convention_signed_on is not None:
            raise ConventionRefusee(
                f"La grappe a déjà une convention ARS signée le {grappe.convention_signed_on:%d/%m/%Y}."
            )
        if grappe.tranches.exclude(statut=StatutTranche.PREVUE).exists():
            raise ConventionRefusee("Des tranches de la grappe sont déjà dues ou payées.")
        # Tranches planned from an amount typed by hand give way to the convention's.
        Tranche.objects.filter(grappe=grappe, statut=StatutTranche.PREVUE).delete()
        convention.signee_le = signee_le
        convention.signature_par = user
        convention.save(update_fields=["signee_le", "signature_par"])
        grappe.convention_amount = convention.montant_accorde
        grappe.convention_signed_on = signee_le
        grappe.save(update_fields=["convention_amount", "convention_signed_on", "updated_at"])
        HistoryEntry.record(
            grappe,
            user,
            "Convention de financement signée",
            candidature.campagne,
            {"Signée le": f"{signee_le:%d/%m/%Y}", "Montant": euros(convention.montant_accorde)},
        )
        ensure_tranches(Grappe.objects.filter(pk=grappe.pk))
    return convention

"""API: usage data in (POST /api/v1/usages/) and a grappe's indicators for a month.

Token authentication (`Authorization: Token …`, users.auth.ApiTokenAuthentication; tokens from
the "Jetons d'API" page or `manage.py creer_jeton_api`) or the session. Writes are all or
nothing, scoped to the grappes the user may feed, with the same validation as the file import."""

from collections import Counter

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core import months
from core.parsers import MAX_BODY_BYTES, MAX_DEPTH
from core.text import size
from core.uploads import format_count
from grappe.models import Grappe, HistoryEntry
from indicateurs import services, usage_import
from indicateurs.enums import SourceUsage, StatutTranche
from indicateurs.models import PERSONNES_ACCOMPAGNEES_AIDE
from indicateurs.perms import can_view_indicateurs, feeds_any_grappe

COUNT_HELP = (
    f"Entier de 0 à {format_count(usage_import.MAX_COUNT)} ; null ou absent = donnée manquante "
    "(pas zéro)."
)
CONFIRM_HINT = "Si la valeur est juste, renvoyez la ligne avec « confirme »: true."


def count_field(help_text=COUNT_HELP, **kwargs):
    """A count, bounded as the import bounds it (usage_import.parse_count, which checks it)."""
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=usage_import.MAX_COUNT,
        help_text=help_text,
        **kwargs,
    )


class UsageLigneSerializer(serializers.Serializer):
    finess_et = serializers.CharField(help_text="FINESS géographique de l'ESMS (9 caractères).")
    mois = serializers.CharField(
        help_text="AAAA-MM : le mois écoulé ou un mois passé (heure de Paris), jamais le mois en "
        "cours."
    )
    personnes_accompagnees = count_field(f"{PERSONNES_ACCOMPAGNEES_AIDE}. {COUNT_HELP}")
    messages_mssante = count_field()
    dmp_alimentes = count_field()
    dossiers_actifs = count_field()
    dossiers_actifs_avec_pp = count_field(f"≤ dossiers_actifs. {COUNT_HELP}")
    dossiers_actifs_avec_evenement = count_field(f"≤ dossiers_actifs. {COUNT_HELP}")
    dmp_alimentes_periode = count_field(
        "Avec le 3e mois de la première mesure : DMP alimentés d'au moins un document sur "
        "les 3 mois, en personnes distinctes (≥ dmp_alimentes du mois). Absent : la somme "
        f"des 3 mois sert de majorant. {COUNT_HELP}"
    )
    confirme = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true : l'émetteur confirme les valeurs inhabituellement élevées de la ligne (seuils "
            "de plausibilité, par exemple plus de 20 messages MSSanté par personne accompagnée "
            "dans le mois). Sans lui, une telle ligne est refusée (400) avec le message « à "
            "confirmer » ; au-delà du seuil d'erreur (plus de 200 messages par personne), elle "
            "l'est même confirmée."
        ),
    )


class LigneErreurSerializer(serializers.Serializer):
    ligne = serializers.IntegerField(help_text="Rang de la ligne dans la liste envoyée (1, 2…).")
    finess = serializers.CharField()
    mois = serializers.CharField()
    erreurs = serializers.ListField(child=serializers.CharField())
    avertissements = serializers.ListField(child=serializers.CharField())
    a_confirmer = serializers.ListField(
        child=serializers.CharField(),
        help_text="Valeurs inhabituellement élevées : renvoyez la ligne avec « confirme »: true.",
    )


class UsagesRefusSerializer(serializers.Serializer):
    detail = serializers.CharField()
    erreurs = LigneErreurSerializer(many=True)


class UsagesResultatSerializer(serializers.Serializer):
    lignes = serializers.IntegerField()
    creees = serializers.IntegerField()
    remplacees = serializers.IntegerField()
    mois = serializers.ListField(child=serializers.CharField())
    avertissements = serializers.ListField(child=serializers.CharField())


class UsagesView(APIView):
    @extend_schema(
        operation_id="usages_create",
        summary="Envoyer des données d'usage mensuelles",
        description=(
            "Une liste de lignes (une par ESMS et par mois), mêmes champs que le fichier "
            "d'import. Tout ou rien : la moindre erreur renvoie 400 avec les erreurs par ligne "
            "et n'écrit rien. Une ligne (FINESS, mois) déjà reçue remplace la précédente, "
            "conservée dans l'historique. Seuls les ESMS des grappes que l'utilisateur alimente "
            "sont acceptés. Les avertissements (valeurs surprenantes) n'empêchent pas l'envoi ; "
            "une valeur au-delà d'un seuil de plausibilité est refusée sauf si la ligne porte "
            "« confirme »: true, et au-delà du seuil d'erreur dans tous les cas. Le corps est "
            f"limité à {size(MAX_BODY_BYTES)} et {MAX_DEPTH} niveaux d'imbrication, la liste à "
            f"{format_count(usage_import.MAX_ROWS)} lignes."
        ),
        request=UsageLigneSerializer(many=True),
        responses={201: UsagesResultatSerializer, 400: UsagesRefusSerializer},
        examples=[
            OpenApiExample(
                "Une ligne",
                value=[
                    {
                        "finess_et": "590000014",
                        "mois": "2026-03",
                        "personnes_accompagnees": 120,
                        "messages_mssante": 95,
                        "dmp_alimentes": 88,
                        "dossiers_actifs": 115,
                        "dossiers_actifs_avec_pp": 104,
                        "dossiers_actifs_avec_evenement": 110,
                    }
                ],
                request_only=True,
            )
        ],
    )
    def post(self, request):
        user = request.user
        if not feeds_any_grappe(user):
            raise PermissionDenied("Vous n'alimentez aucune grappe.")
        data = request.data
        if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
            return Response(
                {"detail": "Envoyez une liste non vide de lignes (objets JSON).", "erreurs": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(data) > usage_import.MAX_ROWS:
            return Response(
                {
                    "detail": f"Envoyez {format_count(usage_import.MAX_ROWS)} lignes au plus "
                    "par requête : rien n'a été écrit.",
                    "erreurs": [],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        rows = [
            (index, {name: row.get(name) for name in [*usage_import.HEADER, "confirme"]})
            for index, row in enumerate(data, start=1)
        ]
        rapport = usage_import.validate(rows, user)
        rapport.refuse_unconfirmed(CONFIRM_HINT)
        if not rapport.ok:
            return Response(
                {
                    "detail": "Données refusées : rien n'a été écrit.",
                    "erreurs": [line.as_dict() for line in rapport.lignes if line.erreurs],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        created, replaced = usage_import.apply(rapport, user=user, source=SourceUsage.API)
        # The audit trail of each grappe fed (the one holding each ESMS for its month: only
        # grappes the sender feeds), like a file import.
        lines_by_grappe = Counter(line.grappe_id for line in rapport.lignes)
        for grappe in Grappe.objects.filter(pk__in=lines_by_grappe):
            HistoryEntry.record(
                grappe,
                user,
                "Données d'usage reçues par l'API",
                "API",
                {
                    "Lignes": lines_by_grappe[grappe.pk],
                    "Créées": created,
                    "Remplacées": replaced,
                    "Mois": ", ".join(f"{m:%Y-%m}" for m in rapport.mois),
                },
            )
        return Response(
            {
                "lignes": len(rapport.lignes),
                "creees": created,
                "remplacees": replaced,
                "mois": [f"{m:%Y-%m}" for m in rapport.mois],
                "avertissements": [m for line in rapport.lignes for m in line.avertissements],
            },
            status=status.HTTP_201_CREATED,
        )


class IndicateurValeurSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()
    numerateur = serializers.IntegerField(allow_null=True)
    denominateur = serializers.IntegerField(allow_null=True)
    valeur = serializers.FloatField(
        allow_null=True,
        help_text=(
            "En %, arrondie une fois, à une décimale, depuis numérateur ÷ dénominateur ; deux "
            "décimales quand une seule placerait la valeur de l'autre côté de la cible "
            "(89,976 → 89,98 pour une cible de 90 non atteinte). null si non calculable."
        ),
    )
    cible = serializers.FloatField(help_text="En %.")
    atteinte = serializers.BooleanField(
        allow_null=True, help_text="null si non calculable ou majorant (non évalué)."
    )
    majorant = serializers.BooleanField(
        help_text=(
            "Première mesure du taux DMP sans le nombre de personnes distinctes des 3 mois "
            "(dmp_alimentes_periode) : le numérateur est la somme des mois, un majorant, qui ne "
            "rend jamais la cible atteinte."
        )
    )


class TrancheSerializer(serializers.Serializer):
    numero = serializers.IntegerField()
    pourcentage = serializers.FloatField()
    # Money is a string to the cent, never a float.
    montant = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, allow_null=True, help_text="En €."
    )
    statut = serializers.ChoiceField(choices=StatutTranche.choices)
    mois_declenchement = serializers.CharField(allow_null=True, help_text="AAAA-MM.")


class CouvertureSerializer(serializers.Serializer):
    esms = serializers.IntegerField(help_text="ESMS de la grappe à la fin du mois.")
    declarants = serializers.IntegerField(
        help_text="ESMS ayant envoyé tous les chiffres des indicateurs qui les concernent."
    )
    personnes = serializers.IntegerField(help_text="Personnes accompagnées par les déclarants.")
    minimum = serializers.IntegerField(help_text="Couverture minimale exigée par l'appel, en %.")
    evaluable = serializers.BooleanField(
        help_text="false : mois non évaluable, aucune cible n'y est atteinte."
    )


class GrappeIndicateursSerializer(serializers.Serializer):
    grappe = serializers.IntegerField()
    mois = serializers.CharField()
    premiere_mesure = serializers.BooleanField(
        help_text="Première mesure : numérateurs cumulés sur 3 mois."
    )
    indicateurs = IndicateurValeurSerializer(many=True)
    couverture = CouvertureSerializer(
        allow_null=True, help_text="null pour un mois que la grappe n'évalue pas (mois 1 et 2)."
    )
    cibles_atteintes = serializers.BooleanField()
    tranches = TrancheSerializer(many=True)


class GrappeIndicateursView(APIView):
    @extend_schema(
        operation_id="grappe_indicateurs",
        summary="Indicateurs d'usage d'une grappe pour un mois",
        description=(
            "Valeurs au niveau de la grappe (Σ numérateurs ÷ Σ dénominateurs × 100), cibles, "
            "atteinte et tranches de subvention. Les mois 1 et 2 d'une grappe ne sont pas "
            "évalués (valeurs nulles). 404 si la grappe n'est pas visible par l'utilisateur."
        ),
        parameters=[
            OpenApiParameter("mois", str, description="AAAA-MM (défaut : le mois écoulé).")
        ],
        responses=GrappeIndicateursSerializer,
    )
    def get(self, request, pk):
        grappe = Grappe.objects.for_user(request.user).filter(pk=pk).first()
        if grappe is None or not can_view_indicateurs(request.user, grappe):
            raise Http404
        try:
            mois = (
                months.parse_month_or_error(request.query_params["mois"])
                if request.query_params.get("mois")
                else months.elapsed_month()
            )
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(GrappeIndicateursSerializer(services.grappe_indicateurs(grappe, mois)).data)

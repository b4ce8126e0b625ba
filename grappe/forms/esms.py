"""Forms for the ESMS of a grappe: add one by its FINESS number, edit its membership and data."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from grappe import perms
from grappe.enums import Domaine, SituationDui, StatutAdhesion, TypeProjet
from grappe.finess import check_finess, normalize_finess
from grappe.models import (
    Categorie,
    Departement,
    EditeurReference,
    Esms,
    EsmsMembership,
    OrganismeGestionnaire,
)

CODE_POSTAL_PATTERN = re.compile(r"[0-9]{5}")
# After the OG refused a grappe's request for an ESMS, the grappe may ask again this much later.
REASK_AFTER = timedelta(days=30)

MANUAL_FIELDS = [
    "raison_sociale",
    "og_finess_ej",
    "og_raison_sociale",
    "categorie",
    "code_postal",
    "commune",
    "departement",
]


def esms_categories():
    """FINESS categories of social and medico-social establishments (aggregates 4xxx): all of
    the registry's, loaded from grappe/reference/categories.toml, refreshed by the FINESS import."""
    return Categorie.objects.filter(agregat_code__startswith="4").order_by("code")


def _sort_key(label):
    """Alphabetical order as a French reader expects it: « Établissement » among the E."""
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


class _ByDomaineIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = {}
        for categorie in self.queryset:
            groups.setdefault(categorie.domaine, []).append(categorie)
        for domaine in Domaine:
            members = sorted(groups.get(domaine, []), key=lambda c: _sort_key(c.libelle))
            if members:
                yield (domaine.label, [self.choice(categorie) for categorie in members])


class CategorieChoiceField(forms.ModelChoiceField):
    """An ESMS category among the registry's ~90, grouped by domain (personnes âgées, personnes
    handicapées, domicile…) and by label within it: people know what the establishment does,
    rarely its FINESS code, which follows the label."""

    iterator = _ByDomaineIterator

    def __init__(self, queryset=None, **kwargs):
        # Always the registry's ESMS categories, whatever a ModelForm passes for its field.
        kwargs.setdefault("empty_label", "— Choisir —")
        super().__init__(queryset=esms_categories(), **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.libelle} — {obj.code}"


def departement_from_finess(number):
    """The département a metropolitan FINESS number belongs to (its first two characters).

    Overseas numbers (97x/98x) use other codes in the registry (9A…): no guess is made."""
    if len(number) < 2 or number[:2] in {"97", "98"}:
        return None
    return Departement.objects.filter(code=number[:2]).first()


def validate_code_postal(value):
    if value and not CODE_POSTAL_PATTERN.fullmatch(value):
        raise ValidationError("Un code postal comporte 5 chiffres.", code="code_postal")


@dataclass
class RegistryLookup:
    """What the registry and the other grappes say about a FINESS géographique typed by a user.

    `state` is one of: "vide" (nothing typed), "erreur" (format or key), "registre" (known, can be
    added or requested), "refuse" (known but already in this grappe, active in another grappe,
    or already requested), "inconnu" (valid number absent from the imported registry: manual
    entry)."""

    number: str = ""
    state: str = "vide"
    error: str = ""
    warning: str = ""
    esms: Esms | None = None
    in_this_grappe: bool = False
    holder: EsmsMembership | None = None  # active in another grappe: it must release it first
    pending: bool = False  # a join request of this grappe already waits for the OG
    refused_on: object = None  # the OG refused this grappe's request lately (no re-asking)
    direct: bool = False  # the user speaks for the ESMS's OG: it joins without a request

    @property
    def is_error(self):
        return self.state == "erreur"

    @property
    def is_unknown(self):
        """A valid number the registry does not hold: the ESMS is typed by hand."""
        return self.state == "inconnu"

    @property
    def is_found(self):
        """In the registry: addable or requestable ("registre"), or refused ("refuse")."""
        return self.state in ("registre", "refuse")

    @property
    def refusal(self):
        if self.in_this_grappe:
            return f"Cet ESMS est déjà dans la grappe ({self.number})."
        if self.holder:
            return (
                f"Cet ESMS est actif dans la grappe « {self.holder.grappe.name} » : un ESMS "
                "n'appartient qu'à une grappe à la fois. Il ne pourra rejoindre celle-ci "
                "qu'une fois retiré de l'autre par son chef de projet."
            )
        if self.pending:
            return (
                "Une demande d'adhésion de cet ESMS attend déjà l'accord de son organisme "
                "gestionnaire."
            )
        if self.refused_on:
            return (
                f"L'organisme gestionnaire a refusé l'adhésion de cet ESMS le "
                f"{self.refused_on:%d/%m/%Y} : une nouvelle demande est possible "
                f"{REASK_AFTER.days} jours après le refus."
            )
        return ""


def lookup_esms(grappe, value, user=None):
    """Check a FINESS géographique and say whether this grappe may take it (see RegistryLookup),
    and whether `user` adds it directly or asks its OG."""
    if not normalize_finess(value):
        return RegistryLookup()
    check = check_finess(value)
    result = RegistryLookup(number=check.number, error=check.error, warning=check.warning)
    if check.error:
        result.state = "erreur"
        return result
    result.esms = (
        Esms.objects.select_related("og", "categorie", "departement")
        .filter(finess_et=check.number)
        .first()
    )
    if result.esms is None:
        result.state = "inconnu"
        return result
    membership = (
        EsmsMembership.objects.active().filter(esms=result.esms).select_related("grappe").first()
    )
    if membership is not None:
        result.in_this_grappe = membership.grappe_id == grappe.pk
        result.holder = None if result.in_this_grappe else membership
    result.pending = grappe.join_requests.pending().filter(esms=result.esms).exists()
    result.direct = user is not None and perms.speaks_for_og(user, result.esms.og)
    if not result.direct:
        # Directors are not asked again and again: a refusal holds for REASK_AFTER.
        refusal = (
            grappe.join_requests.filter(
                esms=result.esms,
                status=StatutAdhesion.REFUSEE,
                decided_at__gte=timezone.now() - REASK_AFTER,
            )
            .order_by("-decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        result.refused_on = timezone.localtime(refusal) if refusal else None
    result.state = "refuse" if result.refusal else "registre"
    return result


def lookup_og(value):
    """(FinessCheck, existing OG or None) for a FINESS juridique typed in the manual entry."""
    check = check_finess(value)
    if check.error:
        return check, None
    return check, OrganismeGestionnaire.objects.filter(finess_ej=check.number).first()


EDITEUR_HELP = (
    "En mise en conformité, l'éditeur de la solution actuelle doit être référencé au SAD du "
    "RESAH dans la catégorie de l'établissement : choisissez-le dans la liste proposée ou "
    "saisissez son nom."
)


class EditeurInput(forms.TextInput):
    """A free text input that suggests the éditeurs referenced at the SAD (a <datalist>: any
    other name may still be typed). `domaine`: only those of that SAD category."""

    def __init__(self, attrs=None, domaine=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.domaine = domaine

    def names(self):
        referenced = EditeurReference.objects.filter(actif=True)
        if self.domaine:
            referenced = referenced.filter(domaine=self.domaine)
        return sorted(set(referenced.values_list("nom", flat=True)), key=str.casefold)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-editeurs"
        attrs["list"] = list_id
        html = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((n,) for n in self.names()))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


def clean_editeur_name(value):
    """The referenced spelling of a name typed without its case or accents (« malta » is
    stored « MALTA »); any other name as typed."""
    return EditeurReference.canonical_name(value) if value and value.strip() else ""


class EsmsAddForm(forms.Form):
    """Add an ESMS to a grappe. The manual fields are always in the form (it works without
    JavaScript) and only required when the number is unknown to the imported registry."""

    finess_et = forms.CharField(
        label="Numéro FINESS géographique",
        max_length=20,
        help_text="9 caractères, par exemple 590000014. Espaces et points sont ignorés.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "text",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    # Project data for this ESMS in the grappe
    type_projet = forms.ChoiceField(label="Type de projet", required=False)
    # ESMS data
    situation_dui = forms.ChoiceField(
        label="Situation DUI",
        required=False,
        choices=[("", "— Non renseignée (inchangée) —"), *SituationDui.choices],
    )
    editeur = forms.CharField(
        label="Éditeur du DUI actuel",
        max_length=150,
        required=False,
        widget=EditeurInput(),
        help_text=EDITEUR_HELP,
    )
    capacite = forms.IntegerField(label="Capacité (places)", min_value=0, required=False)
    # Manual entry when the registry does not know the number
    raison_sociale = forms.CharField(
        label="Raison sociale de l'ESMS", max_length=200, required=False
    )
    og_finess_ej = forms.CharField(
        label="FINESS juridique de l'organisme gestionnaire",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    og_raison_sociale = forms.CharField(
        label="Raison sociale de l'organisme gestionnaire",
        max_length=200,
        required=False,
        help_text="Seulement si l'organisme gestionnaire n'est pas encore connu de Grappe.",
    )
    categorie = CategorieChoiceField(label="Catégorie d'établissement", required=False)
    code_postal = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        validators=[validate_code_postal],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    commune = forms.CharField(label="Commune", max_length=100, required=False)
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Departement.objects.none(),
        required=False,
        empty_label="— Déduit du numéro FINESS —",
    )

    def __init__(self, *args, grappe, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grappe = grappe
        self.user = user
        self.lookup = RegistryLookup()
        self.og = None
        # Valid, but an unknown number was submitted alone: the page asks for its record.
        self.awaiting_manual_entry = False
        self.fields["type_projet"].choices = [
            ("", f"Comme la grappe ({grappe.get_type_projet_display()})"),
            *TypeProjet.choices,
        ]
        self.fields["departement"].queryset = Departement.objects.order_by("code")
        # Progressive enhancement: htmx checks the numbers as they are typed.
        lookup_url = reverse("grappe:esms_lookup", args=[grappe.pk])
        for name, target in [("finess_et", "#resultat-finess"), ("og_finess_ej", "#resultat-og")]:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": lookup_url,
                    "hx-trigger": "keyup changed delay:300ms, change",
                    "hx-target": target,
                    "hx-sync": "this:replace",
                    "aria-controls": target[1:],
                }
            )

    @property
    def manual_fields(self):
        return [self[name] for name in MANUAL_FIELDS]

    @property
    def project_fields(self):
        return [self[name] for name in ["type_projet", "situation_dui", "editeur", "capacite"]]

    def clean_finess_et(self):
        self.lookup = lookup_esms(self.grappe, self.cleaned_data["finess_et"], self.user)
        if self.lookup.error:
            raise ValidationError(self.lookup.error, code="finess")
        if self.lookup.refusal:
            raise ValidationError(self.lookup.refusal, code="refus")
        return self.lookup.number

    def clean_og_finess_ej(self):
        value = self.cleaned_data["og_finess_ej"]
        if not normalize_finess(value):
            return ""
        check, self.og = lookup_og(value)
        if check.error:
            raise ValidationError(check.error, code="finess")
        return check.number

    def clean_code_postal(self):
        return self.cleaned_data["code_postal"].strip()

    def clean_editeur(self):
        return clean_editeur_name(self.cleaned_data["editeur"])

    def clean(self):
        cleaned = super().clean()
        if self.lookup.state != "inconnu" or "finess_et" not in cleaned:
            # The manual entry is hidden and ignored: what was typed there must not block.
            for name in MANUAL_FIELDS:
                self.errors.pop(name, None)
                cleaned.pop(name, None)
            return cleaned
        # Unknown number: the ESMS record is entered by hand. A submit with none of its fields
        # filled only checked the number (Enter in the field, or no JavaScript to reveal the
        # record): the record is asked for, its empty fields are not flagged yet.
        if not any(self.data.get(self.add_prefix(name), "").strip() for name in MANUAL_FIELDS):
            self.awaiting_manual_entry = True
            self.fields["finess_et"].widget.attrs.pop("autofocus", None)
            self.fields["raison_sociale"].widget.attrs["autofocus"] = True
            return cleaned
        required = {
            "raison_sociale": "Indiquez la raison sociale de l'ESMS.",
            "og_finess_ej": "Indiquez le FINESS juridique de son organisme gestionnaire.",
            "categorie": "Choisissez la catégorie d'établissement.",
            "code_postal": "Indiquez le code postal.",
            "commune": "Indiquez la commune.",
        }
        for name, message in required.items():
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, message)
        if cleaned.get("og_finess_ej") and self.og is None and not cleaned.get("og_raison_sociale"):
            self.add_error(
                "og_raison_sociale",
                "Organisme gestionnaire inconnu de Grappe : indiquez sa raison sociale.",
            )
        if not cleaned.get("departement"):
            cleaned["departement"] = departement_from_finess(self.lookup.number)
            if cleaned["departement"] is None and "departement" not in self.errors:
                self.add_error("departement", "Choisissez le département.")
        return cleaned


class EsmsMembershipForm(forms.ModelForm):
    class Meta:
        model = EsmsMembership
        fields = ["type_projet", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"type_projet": "Type de projet"}

    def __init__(self, *args, grappe, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["type_projet"].choices = [
            ("", f"Comme la grappe ({grappe.get_type_projet_display()})"),
            *TypeProjet.choices,
        ]
        # The model's callable default would add a hidden "initial" input; the instance is enough.
        self.fields["joined_on"].show_hidden_initial = False

    def clean_joined_on(self):
        """Only the national admin moves the entry earlier (it would give the grappe months,
        and their usage figures, it did not hold); never before the ESMS left its previous
        grappe, whose months stay its own."""
        joined_on = self.cleaned_data["joined_on"]
        if "joined_on" not in self.changed_data or not joined_on:
            return joined_on
        stored = self.initial.get("joined_on")
        if stored and joined_on < stored and not (self.user and self.user.is_staff):
            raise ValidationError(
                f"La date d'entrée ne peut être avancée avant le {stored:%d/%m/%Y} que par "
                "l'administrateur national : la grappe lirait les données d'usage de mois où "
                "elle ne comptait pas l'ESMS.",
                code="anteriorite",
            )
        earliest = self.instance.earliest_joining()
        if earliest and joined_on < earliest:
            raise ValidationError(
                f"L'ESMS a quitté sa grappe précédente le {earliest:%d/%m/%Y} : il ne peut être "
                "entré dans celle-ci avant cette date.",
                code="chevauchement",
            )
        return joined_on


class EsmsDataForm(forms.ModelForm):
    """An ESMS's own data; its identity too when it was entered by hand (not from FINESS)."""

    IDENTITY_FIELDS = ["raison_sociale", "code_postal", "commune", "categorie"]

    class Meta:
        model = Esms
        fields = [
            "situation_dui",
            "editeur",
            "capacite",
            "raison_sociale",
            "code_postal",
            "commune",
            "categorie",
        ]
        field_classes = {"categorie": CategorieChoiceField}

    def __init__(self, *args, identity=False, **kwargs):
        super().__init__(*args, **kwargs)
        categorie = self.instance.categorie if self.instance.categorie_id else None
        self.fields["editeur"].widget = EditeurInput(
            attrs=self.fields["editeur"].widget.attrs,
            domaine=categorie.domaine if categorie else None,
        )
        self.fields["editeur"].help_text = EDITEUR_HELP
        if identity:
            self.fields["code_postal"].validators.append(validate_code_postal)
            self.fields["code_postal"].required = True
            self.fields["commune"].required = True
        else:
            for name in self.IDENTITY_FIELDS:
                del self.fields[name]

    def clean_code_postal(self):
        return self.cleaned_data["code_postal"].strip()

    def clean_editeur(self):
        return clean_editeur_name(self.cleaned_data["editeur"])

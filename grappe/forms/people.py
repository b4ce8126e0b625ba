"""Forms for the people of a grappe: roles, seats on its comités, and the comités' own settings.

A person is designated by e-mail: an existing account is reused; otherwise first and last names
are asked and an account is created without a password (the person sets it with « Mot de passe
oublié » on the login page).
"""

from django import forms
from django.db import IntegrityError, transaction

from grappe.enums import RegleValidation, RoleComite, RoleKind
from grappe.models import ArsAgent, Comite, ComiteMember, Esms, OrganismeGestionnaire, Role
from users.models import Civilite, User

ARS_REFUSAL = (
    "Les agents ARS supervisent les grappes de leur région : ils n'y reçoivent pas de rôle. "
    "Leur accès en lecture vient de leur rattachement à l'ARS."
)
ARS_COMITE_REFUSAL = (
    "Les agents ARS supervisent les grappes de leur région : ils peuvent être invités à un "
    "comité (voix consultative), pas y voter."
)


def normalize_email(value):
    return User.objects.normalize_email(value.strip()).lower()


def find_user(email):
    return User.objects.filter(email__iexact=email).first()


class PersonForm(forms.Form):
    """E-mail of an existing person, or e-mail and names of a person to create."""

    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        required=False,
        help_text="Seulement si la personne n'a pas encore de compte sur Grappe.",
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=150,
        required=False,
        help_text="Seulement si la personne n'a pas encore de compte sur Grappe.",
    )
    # Optional: it only agrees the labels naming the person (« Cheffe de projet », « Présente »).
    civilite = forms.ChoiceField(
        label="Civilité",
        choices=[("", "Non précisée"), *Civilite.choices],
        required=False,
    )

    def __init__(self, *args, grappe, **kwargs):
        super().__init__(*args, **kwargs)
        self.grappe = grappe
        self.person = None  # the existing account, once the form is valid

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        self.person = find_user(email)
        return email

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and self.person is None:
            if not cleaned.get("first_name", "").strip():
                self.add_error(
                    "first_name",
                    "Personne inconnue de Grappe : indiquez son prénom pour lui créer un compte.",
                )
            if not cleaned.get("last_name", "").strip():
                self.add_error(
                    "last_name",
                    "Personne inconnue de Grappe : indiquez son nom pour lui créer un compte.",
                )
        return cleaned

    @property
    def is_ars_agent(self):
        return self.person is not None and ArsAgent.objects.filter(user=self.person).exists()

    def get_or_create_person(self):
        """(user, created). Called in the view's transaction, once the form is valid."""
        if self.person is not None:
            return self.person, False
        data = self.cleaned_data
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=data["email"],
                    password=None,  # unusable: the person chooses it with « Mot de passe oublié »
                    first_name=data["first_name"].strip(),
                    last_name=data["last_name"].strip(),
                    civilite=data.get("civilite", ""),
                )
        except IntegrityError:
            # Created at the same moment by someone else: use that account.
            return find_user(data["email"]), False
        self.person = user
        return user, True


class RoleForm(PersonForm):
    kind = forms.ChoiceField(label="Rôle", choices=RoleKind.choices)
    esms = forms.ModelChoiceField(
        label="ESMS",
        queryset=Esms.objects.none(),
        required=False,
        empty_label="— Aucun —",
        help_text="Obligatoire pour un référent DUI, sans objet pour les autres rôles.",
    )

    field_order = ["email", "civilite", "first_name", "last_name", "kind", "esms"]

    def __init__(self, *args, grappe, **kwargs):
        super().__init__(*args, grappe=grappe, **kwargs)
        # The grappe's active ESMS only.
        self.fields["esms"].queryset = (
            Esms.objects.filter(memberships__grappe=grappe, memberships__left_on__isnull=True)
            .order_by("raison_sociale", "finess_et")
            .distinct()
        )
        self.fields["esms"].label_from_instance = lambda esms: f"{esms.name} — {esms.finess_et}"

    def clean(self):
        cleaned = super().clean()
        kind, esms = cleaned.get("kind"), cleaned.get("esms")
        if kind == RoleKind.REFERENT_DUI and esms is None and "esms" not in self.errors:
            self.add_error("esms", "Choisissez l'ESMS dont cette personne est le référent DUI.")
        if kind and kind != RoleKind.REFERENT_DUI and esms is not None:
            self.add_error(
                "esms",
                f"Le rôle « {RoleKind(kind).label} » concerne toute la grappe : "
                "ne choisissez pas d'ESMS.",
            )
        if self.person is not None and "email" not in self.errors:
            if self.is_ars_agent:
                self.add_error("email", ARS_REFUSAL)
            elif kind and not self.errors.get("esms"):
                duplicate = Role.objects.filter(
                    grappe=self.grappe, user=self.person, kind=kind, esms=esms
                ).exists()
                if duplicate:
                    label = RoleKind(kind).label
                    where = f" de « {esms.name} »" if esms else ""
                    self.add_error(
                        None,
                        f"{self.person} a déjà le rôle « {label} »{where} dans cette grappe.",
                    )
        return cleaned


class ComiteForm(forms.ModelForm):
    """Missions, fonctionnement and validation rule of a comité."""

    class Meta:
        model = Comite
        fields = ["missions", "fonctionnement", "regle_validation", "quorum"]
        widgets = {
            "missions": forms.Textarea(attrs={"rows": 8}),
            "fonctionnement": forms.Textarea(attrs={"rows": 8}),
            "regle_validation": forms.RadioSelect,
        }
        help_texts = {
            "quorum": "Pour la règle du quorum : nombre d'approbations de membres votants requis.",
        }

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = voters
        self.warnings = []
        self.fields["quorum"].widget.attrs["min"] = 1

    def clean(self):
        cleaned = super().clean()
        rule, quorum = cleaned.get("regle_validation"), cleaned.get("quorum")
        if rule == RegleValidation.QUORUM and "quorum" not in self.errors:
            error = ""
            if quorum is None:
                error = "Indiquez le nombre d'approbations requis pour le quorum."
            elif quorum < 1:
                error = "Le quorum est d'au moins une approbation."
            if error:
                self.add_error("quorum", error)
            elif quorum > self.voters:
                self.warnings.append(
                    f"Le quorum ({quorum}) dépasse le nombre de membres votants ({self.voters}) : "
                    f"tant que le comité n'en compte pas davantage, l'approbation de tous les "
                    f"membres votants sera requise."
                )
        elif rule == RegleValidation.UNANIMITE:
            cleaned["quorum"] = None  # meaningless without the quorum rule
        if rule == RegleValidation.QUORUM and "quorum" in self.errors:
            # Leave the saved rule on the instance, or Comite.clean() repeats the error.
            cleaned.pop("regle_validation", None)
        return cleaned


class ComiteMemberForm(PersonForm):
    og = forms.ModelChoiceField(
        label="Organisme représenté",
        queryset=OrganismeGestionnaire.objects.none(),
        required=False,
        empty_label="— Personne extérieure (AMOA, ARS…) —",
        help_text="Parmi les organismes gestionnaires coopérateurs de la grappe.",
    )
    role = forms.ChoiceField(
        label="Rôle dans le comité", choices=RoleComite.choices, initial=RoleComite.MEMBRE
    )

    field_order = ["email", "civilite", "first_name", "last_name", "og", "role"]

    def __init__(self, *args, grappe, comite, **kwargs):
        super().__init__(*args, grappe=grappe, **kwargs)
        self.comite = comite
        self.fields["og"].queryset = OrganismeGestionnaire.objects.filter(
            grappe_memberships__grappe=grappe, grappe_memberships__left_on__isnull=True
        ).order_by("raison_sociale", "finess_ej")
        self.fields["og"].label_from_instance = lambda og: f"{og.name} — {og.finess_ej}"

    def clean(self):
        cleaned = super().clean()
        role, og = cleaned.get("role"), cleaned.get("og")
        votes = role and role != RoleComite.INVITE
        if votes and og is None and "og" not in self.errors:
            self.add_error(
                "og",
                "Un membre votant représente un organisme gestionnaire coopérateur. Une personne "
                "extérieure (AMOA, ARS…) siège comme invitée permanente.",
            )
        if self.person is not None and "email" not in self.errors:
            if votes and self.is_ars_agent:
                self.add_error("email", ARS_COMITE_REFUSAL)
            elif ComiteMember.objects.filter(comite=self.comite, user=self.person).exists():
                label = self.comite.get_kind_display()
                self.add_error(
                    None,
                    f"{self.person} siège déjà au {label[:1].lower()}{label[1:]} "
                    "(retirez cette personne du comité pour changer son rôle ou son organisme).",
                )
        return cleaned

"""The cahier des charges builder's form: one form for the whole page.

Fields are built from the reference data (amoa/cahier.py): one "garder" checkbox per seed item of
the consultation's checklists, one "ajouts" text area (one item per line) per checklist and per
group of items, the free texts, the audition time and place, and the consultation's own deadline
and contact fields (what §1.7 "Modalités de candidature" prints). The criteria and their weights
are amoa.models.Critere, edited on the criteria page.
"""

from django import forms

from amoa import cahier as reference
from amoa.models import Consultation

CONSULTATION_FIELDS = [
    "offres_avant",
    "questions_avant",
    "auditions_du",
    "auditions_au",
    "contact_nom",
    "contact_email",
    "contact_telephone",
]
MAX_AJOUTS = 30
MAX_LONGUEUR_AJOUT = 300


def keep_name(item):
    return f"garder_{item.code}"


def additions_name(key):
    return f"ajouts_{key}"


def split_lines(text):
    """One item per non-empty line, bullets and surrounding spaces removed, duplicates dropped."""
    items = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•–*").strip()
        if line and line not in items:
            items.append(line)
    return items


class CahierForm(forms.ModelForm):
    origines = forms.CharField(
        label="Origines du projet",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Partenariats existants, éléments qui ont favorisé la démarche de projet mutualisé. "
            "Vide : le texte saisi sur la fiche de la grappe est repris."
        ),
    )
    enjeux = forms.CharField(
        label="Enjeux de la candidature au programme ESMS numérique",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Se référer à l'analyse consolidée de l'autodiagnostic de maturité SI réalisé par "
            "chaque coopérateur (ressources SI médico-social de l'ANAP : "
            "https://www.anap.fr/ressources/fonctions-soutien-et-support/numerique/si-medico-social/). "
            "Vide : le texte de la fiche de la grappe est repris."
        ),
    )
    nb_ateliers = forms.IntegerField(
        label="Nombre d'ateliers de relecture des pièces du marché",
        required=False,
        min_value=1,
        max_value=20,
        help_text="Vide : le candidat propose le nombre d'ateliers.",
    )
    auditions_heure = forms.TimeField(
        label="Heure de début des auditions",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    auditions_lieu = forms.CharField(
        label="Lieu des auditions",
        required=False,
        max_length=200,
        help_text="Ex. : « au siège du porteur, 12 rue … à Dunkerque » ou « en visioconférence ».",
    )
    confidentialite = forms.CharField(
        label="Clauses de confidentialité ou de propriété complémentaires",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Consultation
        fields = CONSULTATION_FIELDS
        widgets = {
            "offres_avant": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "questions_avant": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "auditions_du": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "auditions_au": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"contact_email": "Adresse e-mail de remise des offres et des questions"}

    def __init__(self, *args, instance, **kwargs):
        self.choices = reference.stored(instance)
        self.checklists = reference.active_checklists(instance)
        initial = {
            "origines": self.choices["origines"],
            "enjeux": self.choices["enjeux"],
            "nb_ateliers": self.choices["nb_ateliers"],
            "auditions_heure": self.choices["auditions_heure"] or None,
            "auditions_lieu": self.choices["auditions_lieu"],
            "confidentialite": self.choices["confidentialite"],
        }
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.fields["offres_avant"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if reference.Mission.MARCHE not in instance.missions:
            del self.fields["nb_ateliers"]
        for checklist in self.checklists:
            for item in checklist.items:
                self._add_keep(item)
                for child in item.children:
                    self._add_keep(child)
                if item.children:
                    self._add_additions(item.code, f"Autres éléments pour « {item.label} »")
            self._add_additions(checklist.key, "Ajouter vos propres éléments")

    def _add_keep(self, item):
        self.fields[keep_name(item)] = forms.BooleanField(
            label=reference.item_label(item, self.choices),
            required=False,
            initial=item.code not in self.choices["retires"],
        )

    def _add_additions(self, key, label):
        self.fields[additions_name(key)] = forms.CharField(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Un élément par ligne.",
            initial="\n".join(self.choices["ajouts"].get(key, [])),
        )

    # -- rendering ---------------------------------------------------------------------------

    def checklist(self, key):
        """A checklist as rows of bound fields, for the template."""
        checklist = reference.CHECKLISTS_BY_KEY[key]
        if checklist not in self.checklists:
            return None
        rows = []
        for item in checklist.items:
            rows.append(
                {
                    "field": self[keep_name(item)],
                    "children": [self[keep_name(child)] for child in item.children],
                    "additions": self[additions_name(item.code)] if item.children else None,
                }
            )
        return {
            "checklist": checklist,
            "rows": rows,
            "additions": self[additions_name(checklist.key)],
        }

    @property
    def checklist_blocks(self):
        """{key: checklist()} for the checklists of the consultation (templates cannot pass args)."""
        return {checklist.key: self.checklist(checklist.key) for checklist in self.checklists}

    def disable(self):
        """Read-only rendering for the people who may read but not edit."""
        for bound in self.fields.values():
            bound.disabled = True

    # -- validation --------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if name.startswith("ajouts_"):
                items = split_lines(value or "")
                if len(items) > MAX_AJOUTS:
                    self.add_error(name, f"{MAX_AJOUTS} éléments au plus.")
                elif any(len(item) > MAX_LONGUEUR_AJOUT for item in items):
                    self.add_error(
                        name, f"Un élément ne peut dépasser {MAX_LONGUEUR_AJOUT} caractères."
                    )
                cleaned[name] = items
        du, au = cleaned.get("auditions_du"), cleaned.get("auditions_au")
        if au and not du:
            self.add_error("auditions_du", "Indiquez la date du début des auditions.")
        if du and au and au < du:
            self.add_error("auditions_au", "La fin des auditions précède leur début.")
        offres = cleaned.get("offres_avant")
        if offres and du and du < offres.date():
            self.add_error(
                "auditions_du", "Les auditions ont lieu après la date limite de remise des offres."
            )
        questions = cleaned.get("questions_avant")
        if questions and offres and questions > offres.date():
            self.add_error(
                "questions_avant",
                "La date limite des questions doit précéder la remise des offres.",
            )
        return cleaned

    def new_choices(self):
        """The builder's choices from the submitted data (`cahier.stored` shape)."""
        cleaned = self.cleaned_data
        # Items of the checklists not shown (a mission not chosen) keep their stored state.
        shown = set()
        removed = set()
        additions = {}
        for checklist in self.checklists:
            for item in checklist.items:
                for entry in (item, *item.children):
                    shown.add(entry.code)
                    if not cleaned.get(keep_name(entry)):
                        removed.add(entry.code)
                if item.children:
                    additions[item.code] = cleaned.get(additions_name(item.code), [])
            additions[checklist.key] = cleaned.get(additions_name(checklist.key), [])
        choices = dict(self.choices)
        choices["retires"] = (self.choices["retires"] - shown) | removed
        choices["ajouts"] = {**self.choices["ajouts"], **additions}
        for name in ("origines", "enjeux", "confidentialite"):
            choices[name] = cleaned.get(name, "").strip()
        choices["auditions_lieu"] = cleaned.get("auditions_lieu", "").strip()
        heure = cleaned.get("auditions_heure")
        choices["auditions_heure"] = heure.strftime("%H:%M") if heure else ""
        if "nb_ateliers" in self.fields:
            choices["nb_ateliers"] = cleaned.get("nb_ateliers")
        return choices

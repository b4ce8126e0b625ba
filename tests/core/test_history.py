"""core.history: a form's changes as the audit trail shows them, one way for every form."""

import datetime

import pytest
from django import forms

from core.history import display, form_changes
from grappe.models import Region


class Exemple(forms.Form):
    type_projet = forms.ChoiceField(
        label="Type de projet",
        choices=[("", "Comme la grappe"), ("conformite", "Mise en conformité")],
        required=False,
    )
    region = forms.ModelChoiceField(label="Région", queryset=Region.objects.all(), required=False)
    regions = forms.ModelMultipleChoiceField(
        label="Régions", queryset=Region.objects.all(), required=False
    )
    actif = forms.BooleanField(label="Actif", required=False)
    le = forms.DateField(label="Date", required=False)
    heure = forms.TimeField(label="Heure", required=False)
    texte = forms.CharField(label="Texte", widget=forms.Textarea, required=False)


@pytest.mark.django_db
def test_each_kind_of_value_reads_as_people_read_it():
    form = Exemple()
    hdf = Region.objects.get(code="32")
    assert display(form.fields["type_projet"], "") == "Comme la grappe"
    assert display(form.fields["type_projet"], "conformite") == "Mise en conformité"
    assert display(form.fields["region"], hdf.pk) == str(hdf)
    assert display(form.fields["region"], hdf) == str(hdf)
    assert display(form.fields["regions"], [hdf]) == str(hdf)
    assert display(form.fields["actif"], True) == "oui"
    assert display(form.fields["actif"], False) == "non"
    assert display(form.fields["le"], datetime.date(2026, 3, 10)) == "10/03/2026"
    assert display(form.fields["heure"], datetime.time(14, 30)) == "14\u00a0h\u00a030"
    assert display(form.fields["texte"], None) == ""


@pytest.mark.django_db
def test_form_changes_from_the_initial_data_or_from_a_snapshot():
    initial = {"type_projet": "", "heure": datetime.time(9, 0), "texte": "Ancien"}
    form = Exemple(
        {"type_projet": "conformite", "heure": "09:00", "texte": "Nouveau"}, initial=initial
    )
    assert form.is_valid()
    assert form_changes(form) == {
        "Type de projet": ["Comme la grappe", "Mise en conformité"],
        "Texte": ["Ancien", "Nouveau"],
    }
    assert form_changes(form, resume_textes=True)["Texte"] == "texte modifié"
    # Against the values read before validation: a text proposed and kept counts as written.
    before = {"texte": "", "heure": datetime.time(9, 0)}
    assert form_changes(form, before, resume_textes=True) == {"Texte": "texte rédigé"}

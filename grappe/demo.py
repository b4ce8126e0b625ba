"""Demo data of the registry: a realistic grappe of 16 ESMS run by 3 OG in Hauts-de-France.

Idempotent: every object is looked up by its natural key (FINESS, e-mail, name) before being
created, so running it twice changes nothing. Passwords are for the local demo only.
"""

from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from core.reference import load as load_reference
from grappe.convention_defaults import comite_defaults, convention_defaults
from grappe.enums import (
    FonctionOg,
    Hebergement,
    RegleValidation,
    RoleComite,
    RoleKind,
    SituationDui,
    SourceDonnee,
    TypeComite,
    TypeProjet,
)
from grappe.finess import expected_key
from grappe.models import (
    Aap,
    ArsAgent,
    Categorie,
    Comite,
    ComiteMember,
    ConventionCooperation,
    Departement,
    EditeurReference,
    Esms,
    EsmsMembership,
    Grappe,
    HistoryEntry,
    JoinRequest,
    OgMembership,
    OgPerson,
    OrganismeGestionnaire,
    Region,
    Role,
)
from grappe.reference import editeur_key
from users.models import Civilite, User

DEMO_PASSWORD = "demo-grappe-2026"

# (e-mail, first name, last name, job title, is_staff)
PEOPLE = {
    "admin": (
        "admin@demo.grappe.fr",
        "Nadia",
        "Benali",
        "Administratrice nationale",
        True,
        Civilite.MADAME,
    ),
    "porteur": (
        "cheffe.projet@demo.grappe.fr",
        "Camille",
        "Lefebvre",
        "Cheffe de projet DUI",
        False,
        Civilite.MADAME,
    ),
    "copil1": (
        "directeur.flandres@demo.grappe.fr",
        "Hervé",
        "Vandamme",
        "Directeur général",
        False,
        Civilite.MONSIEUR,
    ),
    "copil2": (
        "directrice.ternois@demo.grappe.fr",
        "Sophie",
        "Delattre",
        "Directrice",
        False,
        Civilite.MADAME,
    ),
    "copil3": (
        "directeur.avesnois@demo.grappe.fr",
        "Karim",
        "Haddad",
        "Directeur",
        False,
        Civilite.MONSIEUR,
    ),
    "ars": (
        "agent.ars@demo.grappe.fr",
        "Julie",
        "Moreau",
        "Chargée de mission ESMS numérique, ARS",
        False,
        Civilite.MADAME,
    ),
    "amoa": (
        "consultant.amoa@demo.grappe.fr",
        "Thomas",
        "Girard",
        "Consultant AMOA",
        False,
        Civilite.MONSIEUR,
    ),
    "referent": (
        "referente.dui@demo.grappe.fr",
        "Aurélie",
        "Dubois",
        "Cadre de santé, référente DUI",
        False,
        Civilite.MADAME,
    ),
}

# The categories of the demo's ESMS, reference data (grappe/reference/categories.toml, loaded
# again by the seeder, so that the demo also seeds a database emptied by a test's flush).
CATEGORY_CODES = ["500", "354", "183", "182", "246", "255", "448", "446"]

# OG: (key, FINESS EJ body (8 digits), raison sociale, statut, CP, commune, département)
OGS = [
    (
        "flandres",
        "59000101",
        "ASSOCIATION LES AMIS DES FLANDRES",
        "Association Loi 1901 non Reconnue d'Utilité Publique",
        "59190",
        "HAZEBROUCK",
        "59",
    ),
    (
        "ternois",
        "62000202",
        "FONDATION DU TERNOIS",
        "Fondation",
        "62130",
        "SAINT-POL-SUR-TERNOISE",
        "62",
    ),
    (
        "avesnois",
        "59000303",
        "CCAS D'AVESNES-SUR-HELPE",
        "Centre Communal d'Action Sociale",
        "59440",
        "AVESNES-SUR-HELPE",
        "59",
    ),
]

# ESMS: (OG key, FINESS ET body, raison sociale, catégorie, CP, commune, situation DUI, éditeur, capacité)
ESMS = [
    (
        "flandres",
        "59001011",
        "EHPAD LES TILLEULS",
        "500",
        "59190",
        "HAZEBROUCK",
        SituationDui.AUCUN,
        "",
        84,
    ),
    (
        "flandres",
        "59001029",
        "EHPAD LA RÉSIDENCE DU MONT DES CATS",
        "500",
        "59270",
        "BAILLEUL",
        SituationDui.AUCUN,
        "",
        72,
    ),
    (
        "flandres",
        "59001037",
        "SSIAD DES FLANDRES INTÉRIEURES",
        "354",
        "59190",
        "HAZEBROUCK",
        SituationDui.A_FAIRE_EVOLUER,
        "Soins & Domicile",
        60,
    ),
    (
        "flandres",
        "59001045",
        "IME LES OISEAUX",
        "183",
        "59114",
        "STEENVOORDE",
        SituationDui.AUCUN,
        "",
        45,
    ),
    (
        "flandres",
        "59001052",
        "SESSAD LES OISEAUX",
        "182",
        "59114",
        "STEENVOORDE",
        SituationDui.AUCUN,
        "",
        30,
    ),
    (
        "flandres",
        "59001060",
        "ESAT DE L'YSER",
        "246",
        "59470",
        "WORMHOUT",
        SituationDui.AUCUN,
        "",
        90,
    ),
    (
        "flandres",
        "59001078",
        "MAS LE BOIS JOLI",
        "255",
        "59190",
        "HAZEBROUCK",
        SituationDui.A_FAIRE_EVOLUER,
        "Accompagner+",
        40,
    ),
    (
        "ternois",
        "62002018",
        "EHPAD SAINTE-THÉRÈSE",
        "500",
        "62130",
        "SAINT-POL-SUR-TERNOISE",
        SituationDui.AUCUN,
        "",
        95,
    ),
    (
        "ternois",
        "62002026",
        "EHPAD LES JARDINS DE LA TERNOISE",
        "500",
        "62550",
        "PERNES",
        SituationDui.AUCUN,
        "",
        68,
    ),
    (
        "ternois",
        "62002034",
        "EAM LE VAL DE TERNOISE",
        "448",
        "62130",
        "SAINT-POL-SUR-TERNOISE",
        SituationDui.SEGUR,
        "MALTA",
        36,
    ),
    (
        "ternois",
        "62002042",
        "SAVS DU TERNOIS",
        "446",
        "62130",
        "SAINT-POL-SUR-TERNOISE",
        SituationDui.AUCUN,
        "",
        40,
    ),
    (
        "ternois",
        "62002059",
        "FOYER D'HÉBERGEMENT L'ÉCLUSE",
        "448",
        "62190",
        "LILLERS",
        SituationDui.AUCUN,
        "",
        28,
    ),
    (
        "avesnois",
        "59003017",
        "EHPAD DU BOCAGE",
        "500",
        "59440",
        "AVESNES-SUR-HELPE",
        SituationDui.AUCUN,
        "",
        80,
    ),
    (
        "avesnois",
        "59003025",
        "SSIAD DE L'AVESNOIS",
        "354",
        "59440",
        "AVESNES-SUR-HELPE",
        SituationDui.AUCUN,
        "",
        45,
    ),
    (
        "avesnois",
        "59003033",
        "RÉSIDENCE LES HORTENSIAS",
        "500",
        "59610",
        "FOURMIES",
        SituationDui.A_FAIRE_EVOLUER,
        "Hospi-Suite",
        62,
    ),
    (
        "avesnois",
        "59003041",
        "EHPAD LE VAL DE SAMBRE",
        "500",
        "59330",
        "HAUTMONT",
        SituationDui.AUCUN,
        "",
        76,
    ),
]

GRAPPE_NAME = "Grappe numérique Flandres – Ternois – Avesnois"

# The demo's éditeurs referenced at the SAD, per category: the fictitious ones the grappe's
# market study (amoa.demo.ETUDE_MARCHE) says are referenced. Its ESMS in mise en conformité use
# them, or MALTA (the indicative entry of migration 0013), except the Résidence Les Hortensias,
# still on Hospi-Suite, which the study found not referenced: its eligibility warning tells the
# grappe to check it, or to move that ESMS to an acquisition.
DEMO_SOURCE = "Démonstration : éditeur fictif, référencé d'après l'étude de marché de la grappe."
EDITEURS_REFERENCES = [
    ("Médi-Logis", ["pa", "domicile"]),
    ("Accompagner+", ["ph"]),
    ("Soins & Domicile", ["domicile"]),
]


JOINED_ON = date(2025, 9, 1)


@cache
def demo_password_hash():
    return make_password(DEMO_PASSWORD)


def finess(body):
    return body + expected_key(body)


class Seeder:
    """Builds (or finds) the demo registry; `run()` returns {"grappe": …, "people": {…}}."""

    def run(self):
        people = {key: self.person(*values) for key, values in PEOPLE.items()}
        load_reference()
        categories = Categorie.objects.in_bulk(CATEGORY_CODES, field_name="code")
        ogs = {}
        for key, body, name, statut, cp, commune, dep in OGS:
            ogs[key], _ = OrganismeGestionnaire.objects.get_or_create(
                finess_ej=finess(body),
                defaults={
                    "raison_sociale": name,
                    "statut_juridique_libelle": statut,
                    "code_postal": cp,
                    "commune": commune,
                    "departement": Departement.objects.get(code=dep),
                    "source": SourceDonnee.FINESS,
                },
            )
        region = Region.objects.get(code="32")
        aap = Aap.objects.get(kind="generalisation", region__isnull=True)
        grappe, created = Grappe.objects.get_or_create(
            name=GRAPPE_NAME,
            defaults={
                "region": region,
                "aap": aap,
                "porteur": ogs["flandres"],
                "type_projet": TypeProjet.ACQUISITION,
                "hebergement": Hebergement.HDS_EXTERNE,
                "achat_sad": True,
                "amoa_marche": True,
                "amoa_projet": True,
                "origines": (
                    "Les trois organismes coopèrent depuis 2019 au sein du dispositif d'appui à la "
                    "coordination du territoire et partagent un même médecin coordonnateur pour deux EHPAD."
                ),
                "enjeux": (
                    "Sortir du papier dans 13 établissements, harmoniser le projet personnalisé, "
                    "alimenter le DMP et utiliser la MSSanté avec les hôpitaux de proximité."
                ),
                "convention_signed_on": date(2026, 3, 16),
                "convention_amount": Decimal("683000.00"),
            },
        )
        for key, body, name, cat, cp, commune, situation, editeur, capacite in ESMS:
            esms, _ = Esms.objects.get_or_create(
                finess_et=finess(body),
                defaults={
                    "og": ogs[key],
                    "raison_sociale": name,
                    "categorie": categories[cat],
                    "code_postal": cp,
                    "commune": commune,
                    "departement": Departement.objects.get(code=cp[:2]),
                    "situation_dui": situation,
                    "editeur": editeur,
                    "capacite": capacite,
                },
            )
            type_projet = TypeProjet.CONFORMITE if situation != SituationDui.AUCUN else ""
            # Members since before the dossier they filed on 20/10/2025 (candidatures.demo).
            EsmsMembership.objects.get_or_create(
                grappe=grappe,
                esms=esms,
                left_on=None,
                defaults={"joined_on": JOINED_ON, "type_projet": type_projet},
            )
        for og in ogs.values():
            OgMembership.objects.get_or_create(
                grappe=grappe, og=og, left_on=None, defaults={"joined_on": JOINED_ON}
            )

        self.editeurs()
        self.roles(grappe, people)
        self.comites(grappe, people, ogs)
        self.og_people(people, ogs)
        self.join_request(grappe, people, ogs, categories)
        ArsAgent.objects.get_or_create(user=people["ars"], region=region)
        ConventionCooperation.objects.get_or_create(
            grappe=grappe,
            defaults={
                **convention_defaults(grappe),
                "signed_on": date(2026, 1, 12),
                "signed_at_place": "Hazebrouck",
            },
        )
        if created:
            HistoryEntry.record(grappe, people["porteur"], "Création de la grappe", grappe)

        return {"grappe": grappe, "people": people, "ogs": ogs}

    def editeurs(self):
        """The demo's référencés (the reference list is loaded by `run`)."""
        entries = [(nom, domaines, DEMO_SOURCE) for nom, domaines in EDITEURS_REFERENCES]
        for nom, domaines, source in entries:
            for domaine in domaines:
                EditeurReference.objects.get_or_create(
                    cle=editeur_key(nom),
                    domaine=domaine,
                    defaults={"nom": nom, "source": source},
                )

    def person(self, email, first_name, last_name, job_title, is_staff, civilite):
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "civilite": civilite,
                "first_name": first_name,
                "last_name": last_name,
                "job_title": job_title,
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        if created:
            # One hash for every demo login (same password): hashing costs ~0.3 s each.
            user.password = demo_password_hash()
            user.save(update_fields=["password"])
        return user

    def roles(self, grappe, people):
        wanted = [
            (people["porteur"], RoleKind.CHEF_PROJET, None),
            (people["copil1"], RoleKind.SPONSOR, None),
            (people["amoa"], RoleKind.AMOA, None),
            (
                people["referent"],
                RoleKind.REFERENT_DUI,
                Esms.objects.get(finess_et=finess("59001011")),
            ),
        ]
        for user, kind, esms in wanted:
            Role.objects.get_or_create(grappe=grappe, user=user, kind=kind, esms=esms)

    def og_people(self, people, ogs):
        """Who speaks for each OG: the directors (they agree to their ESMS joining a grappe)
        and the chef de projet, référent of the porteur."""
        for key, og_key, fonction in [
            ("copil1", "flandres", FonctionOg.DIRECTION),
            ("copil2", "ternois", FonctionOg.DIRECTION),
            ("copil3", "avesnois", FonctionOg.DIRECTION),
            ("porteur", "flandres", FonctionOg.REFERENT),
        ]:
            OgPerson.objects.get_or_create(
                og=ogs[og_key], user=people[key], defaults={"fonction": fonction}
            )

    def join_request(self, grappe, people, ogs, categories):
        """A 17th ESMS asked for by the chef de projet, awaiting the Ternois's director."""
        esms, _ = Esms.objects.get_or_create(
            finess_et=finess("62001038"),
            defaults={
                "og": ogs["ternois"],
                "raison_sociale": "SSIAD DU TERNOIS",
                "categorie": categories["354"],
                "code_postal": "62130",
                "commune": "SAINT-POL-SUR-TERNOISE",
                "departement": Departement.objects.get(code="62"),
                "situation_dui": SituationDui.AUCUN,
                "capacite": 40,
            },
        )
        if not JoinRequest.objects.filter(grappe=grappe, esms=esms).exists():
            JoinRequest.objects.create(
                grappe=grappe,
                esms=esms,
                requested_by=people["porteur"],
                requested_at=timezone.now() - timedelta(days=3),
            )

    def comites(self, grappe, people, ogs):
        seats = {
            TypeComite.COPIL: [
                (people["copil1"], ogs["flandres"], RoleComite.PRESIDENT),
                (people["copil2"], ogs["ternois"], RoleComite.MEMBRE),
                (people["copil3"], ogs["avesnois"], RoleComite.MEMBRE),
                (people["porteur"], ogs["flandres"], RoleComite.SECRETAIRE),
                (people["amoa"], None, RoleComite.INVITE),
            ],
            TypeComite.SUIVI: [
                (people["porteur"], ogs["flandres"], RoleComite.PRESIDENT),
                (people["referent"], ogs["flandres"], RoleComite.MEMBRE),
                (people["amoa"], None, RoleComite.MEMBRE),
            ],
            TypeComite.SELECTION: [
                (people["copil1"], ogs["flandres"], RoleComite.PRESIDENT),
                (people["copil2"], ogs["ternois"], RoleComite.MEMBRE),
                (people["porteur"], ogs["flandres"], RoleComite.MEMBRE),
            ],
        }
        for kind, members in seats.items():
            defaults = comite_defaults(kind)
            if kind == TypeComite.COPIL:
                defaults.update(regle_validation=RegleValidation.QUORUM, quorum=2)
            comite, _ = Comite.objects.get_or_create(grappe=grappe, kind=kind, defaults=defaults)
            for user, og, role in members:
                ComiteMember.objects.get_or_create(
                    comite=comite, user=user, defaults={"og": og, "role": role}
                )


def seed():
    return Seeder().run()

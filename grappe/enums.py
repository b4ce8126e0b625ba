from django.db import models

from core.text import for_person


class Domaine(models.TextChoices):
    """Domain of an ESMS, derived from its FINESS category (DOMAIN.md §3)."""

    PERSONNES_AGEES = "pa", "Personnes âgées"
    PERSONNES_HANDICAPEES = "ph", "Personnes handicapées"
    DOMICILE = "domicile", "Domicile"
    PROTECTION_ENFANCE = "enfance", "Protection de l'enfance"
    AUTRE = "autre", "Autre ESMS"
    HORS_CHAMP = "hors_champ", "Hors champ ESMS (sanitaire, autre)"


class SituationDui(models.TextChoices):
    AUCUN = "aucun", "Pas de DUI"
    A_FAIRE_EVOLUER = "a_faire_evoluer", "DUI à faire évoluer"
    SEGUR = "segur", "DUI référencé Ségur"


class TypeProjet(models.TextChoices):
    ACQUISITION = "acquisition", "Acquisition"
    CONFORMITE = "conformite", "Mise en conformité"


class Hebergement(models.TextChoices):
    NON_DEFINI = "", "Non défini"
    HDS_EXTERNE = "hds_externe", "Hébergement externalisé (HDS)"
    INTERNE = "interne", "Hébergement interne"


class TypeAap(models.TextChoices):
    AMORCAGE_T1 = "amorcage_t1", "Amorçage — temps 1"
    AMORCAGE_T2 = "amorcage_t2", "Amorçage — temps 2"
    GENERALISATION = "generalisation", "Généralisation"


class UniteSeuil(models.TextChoices):
    ESMS = "esms", "ESMS"
    OG = "og", "organismes gestionnaires"


class EvenementTranche(models.TextChoices):
    SIGNATURE = "signature", "Signature de la convention ARS"
    CIBLES = "cibles", "Atteinte des cibles d'usage"


class TypeComite(models.TextChoices):
    COPIL = "copil", "Comité de pilotage (COPIL)"
    SUIVI = "suivi", "Comité de suivi opérationnel"
    # Seed 001's « comitologie : COSTRAT (COFIL), COTECH »; seed 000: the minutes of the comités
    # techniques are validated by the COPIL before diffusion.
    COTECH = "cotech", "Comité technique (COTECH)"
    SELECTION = "selection", "Comité de sélection AMOA"


class RoleComite(models.TextChoices):
    PRESIDENT = "president", "Président"
    MEMBRE = "membre", "Membre"
    SECRETAIRE = "secretaire", "Secrétaire de séance"
    INVITE = "invite", "Invité permanent à voix consultative"


class RegleValidation(models.TextChoices):
    UNANIMITE = "unanimite", "Tous les membres votants"
    QUORUM = "quorum", "Quorum d'approbations"


class RoleKind(models.TextChoices):
    """What a person does on a grappe. Roles drive every permission (grappe/perms.py)."""

    CHEF_PROJET = "chef_projet", "Chef de projet interne"
    SPONSOR = "sponsor", "Sponsor (direction)"
    REFERENT_DUI = "referent_dui", "Référent DUI"
    REFERENT_METIER = "referent_metier", "Référent métier"
    REFERENT_FONCTIONNEL = "referent_fonctionnel", "Référent fonctionnel"
    AMOA = "amoa", "Consultant AMOA"
    MEMBRE = "membre", "Membre de la grappe"


class FonctionOg(models.TextChoices):
    """What a person does for an organisme gestionnaire (declared by the national admin)."""

    DIRECTION = "direction", "Direction"
    REFERENT = "referent", "Référent de l'organisme"


class StatutAdhesion(models.TextChoices):
    """A grappe's request to take in an ESMS, which the ESMS's OG (its direction) decides."""

    EN_ATTENTE = "en_attente", "En attente de l'organisme gestionnaire"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"
    ANNULEE = "annulee", "Annulée"


class SourceDonnee(models.TextChoices):
    FINESS = "finess", "Import FINESS"
    SAISIE = "saisie", "Saisie manuelle"


class StatutImport(models.TextChoices):
    SIMULATION = "simulation", "Simulation (rien n'est écrit)"
    EN_COURS = "en_cours", "Application en cours"
    APPLIQUE = "applique", "Appliqué"
    ECHEC = "echec", "Échec"


class StatutLigneImport(models.TextChoices):
    CREEE = "creee", "Créée"
    MISE_A_JOUR = "mise_a_jour", "Mise à jour"
    INCHANGEE = "inchangee", "Inchangée"
    IGNOREE = "ignoree", "Ignorée (hors champ ESMS)"
    REJETEE = "rejetee", "Rejetée"


# The feminine of the labels that name a person; the labels above are the masculine, which stands
# when the person's civility is unknown (the default of French administrative writing).
FEMININE_LABELS = {
    RoleKind: {
        RoleKind.CHEF_PROJET: "Cheffe de projet interne",
        RoleKind.REFERENT_DUI: "Référente DUI",
        RoleKind.REFERENT_METIER: "Référente métier",
        RoleKind.REFERENT_FONCTIONNEL: "Référente fonctionnelle",
        RoleKind.AMOA: "Consultante AMOA",
    },
    RoleComite: {
        RoleComite.PRESIDENT: "Présidente",
        RoleComite.INVITE: "Invitée permanente à voix consultative",
    },
    FonctionOg: {FonctionOg.REFERENT: "Référente de l'organisme"},
}


def label_for(choice, person):
    """A role's label agreed with the person who holds it: « Cheffe de projet interne » for
    Madame, « Chef de projet interne » otherwise (core.text.for_person)."""
    feminine = FEMININE_LABELS.get(type(choice), {}).get(choice, choice.label)
    return for_person(person, choice.label, feminine)

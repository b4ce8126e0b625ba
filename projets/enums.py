from django.db import models


class StatutEtape(models.TextChoices):
    A_VENIR = "a_venir", "À venir"
    EN_COURS = "en_cours", "En cours"
    TERMINEE = "terminee", "Terminée"
    EN_RETARD = "en_retard", "En retard"
    SANS_OBJET = "sans_objet", "Sans objet"

    @property
    def is_late(self):
        return self == StatutEtape.EN_RETARD


class DecisionJalon(models.TextChoices):
    GO = "go", "Go"
    NO_GO = "no_go", "No go"
    AJOURNE = "ajourne", "Ajourné"


class ModeDecision(models.TextChoices):
    CONSENSUS = "consensus", "Consensus"
    VOTE = "vote", "Vote"


class StatutVersion(models.TextChoices):
    DEPOSEE = "deposee", "Déposée"
    SOUMISE = "soumise", "Soumise à validation"
    VALIDEE = "validee", "Validée"
    REJETEE = "rejetee", "Rejetée"


class DecisionAvis(models.TextChoices):
    APPROUVE = "approuve", "Approuve"
    REJETTE = "rejette", "Rejette"
    COMMENTAIRE = "commentaire", "Commentaire"


class StatutRisque(models.TextChoices):
    OUVERT = "ouvert", "Ouvert"
    EN_TRAITEMENT = "en_traitement", "En traitement"
    CLOS = "clos", "Clos"


class CategorieRisque(models.TextChoices):
    COOPERATION = "cooperation", "Coopération"
    GOUVERNANCE = "gouvernance", "Gouvernance"
    TECHNIQUE = "technique", "Technique"
    PLANNING = "planning", "Planning"
    BUDGET = "budget", "Budget"
    USAGES = "usages", "Usages"
    FOURNISSEUR = "fournisseur", "Fournisseur"
    DONNEES = "donnees", "Données"


class TypeReunion(models.TextChoices):
    """The bodies that meet. The comité technique is seed 001's « comitologie : COSTRAT (COFIL),
    COTECH » and seed 000's « comptes-rendus des comités de pilotage et comités techniques qui
    devront être validés par le COPIL avant diffusion »."""

    COPIL = "copil", "Comité de pilotage (COPIL)"
    SUIVI = "suivi", "Comité de suivi opérationnel"
    COTECH = "cotech", "Comité technique (COTECH)"
    SELECTION = "selection", "Comité de sélection"
    ATELIER = "atelier", "Atelier thématique"


class Presence(models.TextChoices):
    PRESENT = "present", "Présent"
    EXCUSE = "excuse", "Excusé"
    ABSENT = "absent", "Absent"


# The labels above said of a woman (Participant.presence_label, by User.civilite).
PRESENCE_FEMININE = {
    Presence.PRESENT: "Présente",
    Presence.EXCUSE: "Excusée",
    Presence.ABSENT: "Absente",
}


class StatutAction(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    EN_COURS = "en_cours", "En cours"
    FAITE = "faite", "Faite"
    ABANDONNEE = "abandonnee", "Abandonnée"


class StatutCompteRendu(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMIS = "soumis", "Soumis à validation"
    MODIFICATIONS = "modifications", "Modifications demandées"
    VALIDE = "valide", "Validé"
    DIFFUSE = "diffuse", "Diffusé"


# One colour per minutes status, on the meetings list, the meeting and the minutes pages.
COMPTE_RENDU_BADGES = {
    StatutCompteRendu.BROUILLON: "text-bg-secondary",
    StatutCompteRendu.SOUMIS: "text-bg-warning",
    StatutCompteRendu.MODIFICATIONS: "text-bg-danger",
    StatutCompteRendu.VALIDE: "text-bg-success",
    StatutCompteRendu.DIFFUSE: "text-bg-success",
}


class AvisCompteRendu(models.TextChoices):
    APPROUVE = "approuve", "Approuve"
    MODIFICATIONS = "modifications", "Demande des modifications"

"""The import template: one row per event, French column headers, and what each column becomes.

docs/integration.md documents every column; the template files are built from this table, so the
documentation, the template and the parser never disagree.
"""

from __future__ import annotations

from shared.domain import events as ev

# (header, what staff write in it) in template order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("parcours", "Référence du parcours dans la structure (texte libre) ou son identifiant UUID"),
    ("type", "Type d'événement (code : pathway_opened, contract_started, …)"),
    ("date", "Date de l'événement (AAAA-MM-JJ ou JJ/MM/AAAA) ; vide : la date de début ou de fin"),
    ("personne", "Identifiant de la personne (créée par POST /v1/persons)"),
    ("orienteur", "Code orienteur ASP (03 France Travail, 01 Mission locale, …)"),
    ("diagnostic", "prescriber (prescripteur habilité) ou employer (auto-prescription)"),
    ("criteres", "Critères d'éligibilité, codes séparés par des espaces (RSA DELD QPV)"),
    ("niveau_formation", "Niveau de formation ASP (50, 51, …)"),
    ("pass_numero", "Numéro du PASS IAE (12 lettres ou chiffres)"),
    ("pass_debut", "Début du PASS IAE"),
    ("pass_fin", "Fin du PASS IAE"),
    ("contrat", "Référence du contrat dans la structure (texte libre)"),
    ("type_contrat", "CDDI, CDD_USAGE, MISSION, CDI_INCLUSION, CDD, CDI, …"),
    ("debut", "Date de début (contrat, mise à disposition, immersion, suspension)"),
    ("fin", "Date de fin (prévue pour un contrat commencé ou renouvelé, réelle sinon)"),
    ("heures_hebdo", "Heures hebdomadaires du contrat (virgule décimale acceptée)"),
    ("code_rome", "Code ROME du poste (K2204)"),
    ("motif", "Motif : de fin de contrat, de sortie, de suspension, de prolongation, d'annulation"),
    (
        "type_client",
        "Client de la mise à disposition : particulier, entreprise, association, collectivite",
    ),
    ("siret_client", "SIRET du client (obligatoire pour une entreprise)"),
    ("heures", "Heures (mois déclaré, mise à disposition, formation suivie, accompagnement)"),
    ("mois", "Mois déclaré (AAAA-MM ou MM/AAAA)"),
    ("formation", "Référence de la formation dans la structure (texte libre)"),
    ("type_formation", "qualifying, pre_qualifying, adaptation, other"),
    ("intitule", "Intitulé de la formation"),
    ("heures_prevues", "Heures de formation prévues"),
    ("certifiee", "Formation certifiée : oui ou non"),
    ("domaine", "Accompagnement : social ou professional"),
    ("theme", "Thème de l'accompagnement (logement, mobilite, projet_professionnel, …)"),
    ("realisation", "internal (en interne) ou external (partenaire)"),
    ("objectif", "Objectif de l'immersion : discover, confirm, recruit"),
    ("siret_accueil", "SIRET de l'entreprise d'accueil de l'immersion"),
    ("prescripteur_immersion", "Immersion prescrite par : structure ou france_travail"),
    ("accord_prolongation", "Prolongation accordée par un prescripteur habilité : prescriber"),
    ("evenement_annule", "Identifiant de l'événement annulé (event_voided)"),
    ("transfert_structure", "Structure où la personne poursuit son parcours (identifiant)"),
    ("transfert_parcours", "Parcours où la personne poursuit (identifiant)"),
)
HEADERS: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
REQUIRED = ("parcours", "type")

# type → (column, path in the event's data, conversion). "ref" turns a structure's own reference
# into a stable UUID, so that a contract or a training is named the way staff name it.
FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    ev.PATHWAY_OPENED: (
        ("personne", "person_id", "text"),
        ("orienteur", "orienteur", "code"),
        ("diagnostic", "eligibility.diagnosed_by", "code"),
        ("criteres", "eligibility.criteria", "codes"),
        ("niveau_formation", "education_level", "code"),
        ("pass_numero", "pass_iae.number", "text"),
        ("pass_debut", "pass_iae.start_on", "date"),
        ("pass_fin", "pass_iae.end_on", "date"),
    ),
    ev.CONTRACT_STARTED: (
        ("contrat", "contract_id", "ref"),
        ("type_contrat", "contract_type", "code"),
        ("debut", "start_on", "date"),
        ("fin", "planned_end_on", "date"),
        ("heures_hebdo", "weekly_hours", "number"),
        ("code_rome", "rome_code", "code"),
    ),
    ev.CONTRACT_RENEWED: (("contrat", "contract_id", "ref"), ("fin", "planned_end_on", "date")),
    ev.CONTRACT_ENDED: (
        ("contrat", "contract_id", "ref"),
        ("fin", "ended_on", "date"),
        ("motif", "reason", "code"),
    ),
    ev.MISE_A_DISPOSITION_RECORDED: (
        ("type_client", "client_kind", "code"),
        ("siret_client", "client_siret", "digits"),
        ("debut", "start_on", "date"),
        ("fin", "end_on", "date"),
        ("heures", "hours", "number"),
    ),
    ev.HOURS_WORKED_RECORDED: (("mois", "month", "month"), ("heures", "hours", "number")),
    ev.TRAINING_STARTED: (
        ("formation", "training_id", "ref"),
        ("type_formation", "kind", "code"),
        ("intitule", "title", "text"),
        ("heures_prevues", "planned_hours", "number"),
    ),
    ev.TRAINING_COMPLETED: (
        ("formation", "training_id", "ref"),
        ("heures", "hours", "number"),
        ("certifiee", "certified", "boolean"),
    ),
    ev.SUPPORT_ACTION_RECORDED: (
        ("domaine", "domain", "code"),
        ("theme", "topic", "code"),
        ("realisation", "delivery", "code"),
        ("heures", "hours", "number"),
    ),
    ev.IMMERSION_RECORDED: (
        ("objectif", "objective", "code"),
        ("debut", "start_on", "date"),
        ("fin", "end_on", "date"),
        ("siret_accueil", "host_siret", "digits"),
        ("prescripteur_immersion", "prescribed_by", "code"),
    ),
    ev.PASS_SUSPENDED: (
        ("debut", "start_on", "date"),
        ("fin", "end_on", "date"),
        ("motif", "reason", "code"),
    ),
    ev.PASS_PROLONGED: (
        ("fin", "end_on", "date"),
        ("motif", "reason", "code"),
        ("accord_prolongation", "approved_by", "code"),
    ),
    ev.PATHWAY_EXITED: (
        ("motif", "reason", "code"),
        ("transfert_structure", "transferred_to.structure_id", "text"),
        ("transfert_parcours", "transferred_to.pathway_id", "text"),
    ),
    ev.EVENT_VOIDED: (("evenement_annule", "event_id", "text"), ("motif", "reason", "text")),
}
# When `date` is empty, the event is dated by this column (docs/api.md: occurred_on must match it).
DATED_BY = {
    ev.CONTRACT_STARTED: "debut",
    ev.CONTRACT_ENDED: "fin",
    ev.MISE_A_DISPOSITION_RECORDED: "debut",
    ev.IMMERSION_RECORDED: "debut",
    ev.PASS_SUSPENDED: "debut",
}

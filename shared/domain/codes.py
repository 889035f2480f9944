"""Code tables of the IAE domain: each code maps to its French label, plus what rules need.

Codes are stored and never change; labels are displayed and may. Sources are given in
docs/domain.md (Code du travail, ASP, Les emplois de l'inclusion).
Geography lives in `shared.domain.territories`, numeric limits in `shared.domain.limits`.
"""

from collections.abc import Mapping
from dataclasses import dataclass

# --- Structure kinds (Code du travail L5132-1 and following; COORACE members) ---------------------

STRUCTURE_KINDS: Mapping[str, str] = {
    "AI": "Association intermédiaire",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "ETT_ESS": "Entreprise de travail temporaire de l'ESS",
    "EI": "Entreprise d'insertion",
    "ACI": "Atelier et chantier d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "OSP": "Organisme de services à la personne",
}
ALL_KINDS: frozenset[str] = frozenset(STRUCTURE_KINDS)
# Kinds that sign a convention with the State (SIAE); ETT_ESS and OSP do not.
CONVENTIONED_KINDS: frozenset[str] = frozenset({"AI", "ETTI", "EI", "ACI", "EITI"})
# Kinds whose workers are put at a client's disposal (mise à disposition, L5132-7 and L5132-6).
MAD_KINDS: frozenset[str] = frozenset({"AI", "ETTI", "ETT_ESS"})
# Minimum stay of a counted exit (§8): hours worked for these kinds; none at all for EITI (every
# exit that is not withdrawn counts); months since the first hire for the others (ACI, EI, OSP).
HOUR_COUNTED_KINDS: frozenset[str] = frozenset({"AI", "ETTI", "ETT_ESS"})
EVERY_EXIT_COUNTED_KINDS: frozenset[str] = frozenset({"EITI"})

# --- Contracts (L5132-5, L5132-6, L5132-11-1, L5132-15-1; loi 2020-1577 for CDI inclusion) -------

CONTRACT_TYPES: Mapping[str, str] = {
    "CDDI": "CDD d'insertion",
    "CDD_USAGE": "CDD d'usage",
    "MISSION": "Contrat de mission",
    "CDI_INCLUSION": "CDI inclusion",
    "CDD": "CDD de droit commun",
    "CDI": "CDI de droit commun",
    "PROFESSIONALISATION": "Contrat de professionnalisation",
    "OTHER": "Autre contrat",
}
# Kinds allowed to sign each contract type. CDD, CDI, PROFESSIONALISATION and OTHER are open to
# every kind (our choice: ordinary law contracts are never impossible; OSP relies on CDD/CDI).
CONTRACT_TYPE_KINDS: Mapping[str, frozenset[str]] = {
    "CDDI": frozenset({"AI", "EI", "ACI"}),
    "CDD_USAGE": frozenset({"AI"}),
    "MISSION": frozenset({"ETTI", "ETT_ESS"}),
    "CDI_INCLUSION": frozenset({"AI", "EI", "ACI", "ETTI"}),
    "CDD": ALL_KINDS,
    "CDI": ALL_KINDS,
    "PROFESSIONALISATION": ALL_KINDS,
    "OTHER": ALL_KINDS,
}
# Open-ended contracts: they have no planned end and cannot be renewed.
OPEN_ENDED_CONTRACT_TYPES: frozenset[str] = frozenset({"CDI", "CDI_INCLUSION"})

CONTRACT_END_REASONS: Mapping[str, str] = {
    "term": "Arrivée du terme",
    "resignation": "Démission",
    "dismissal": "Licenciement",
    "trial_period": "Rupture pendant la période d'essai",
    "mutual_agreement": "Rupture d'un commun accord",
    "other": "Autre motif",
}

# --- Eligibility (arrêté du 1er septembre 2021, critères d'éligibilité IAE) -----------------------

DIAGNOSED_BY: Mapping[str, str] = {
    "prescriber": "Prescripteur habilité",
    "employer": "Employeur (auto-prescription)",
}

ELIGIBILITY_CRITERIA: Mapping[str, str] = {
    "RSA": "Bénéficiaire du RSA",
    "ASS": "Allocataire ASS",
    "AAH": "Allocataire AAH",
    "DETLD": "Demandeur d'emploi de très longue durée (24 mois et plus)",
    "CAP_BEP": "Niveau d'étude CAP/BEP ou infra",
    "SENIOR": "Senior (50 ans et plus)",
    "JEUNE": "Jeune (moins de 26 ans)",
    "ASE": "Sortant de l'aide sociale à l'enfance",
    "DELD": "Demandeur d'emploi de longue durée (12 à 24 mois)",
    "TH": "Travailleur handicapé",
    "PI": "Parent isolé",
    "PSH_PR": "Personne sans hébergement ou hébergée, ou ayant un parcours de rue",
    "REF_DA": "Réfugié, bénéficiaire de la protection subsidiaire ou temporaire, demandeur d'asile",
    "ZRR": "Résident en zone de revitalisation rurale",
    "QPV": "Résident en quartier prioritaire de la politique de la ville",
    "DETENTION_MJ": "Sortant de détention ou personne placée sous main de justice",
    "FLE": "Maîtrise de la langue française inférieure au niveau A1",
    "MOBILITE": "Problème de mobilité",
}
# Criteria codes renamed (old code → new code), and the pathway_opened schema version that did it:
# `PM` read as "personne morale" in the files structures exchange; its label never changed.
RENAMED_CRITERIA: Mapping[str, str] = {"PM": "MOBILITE"}
LEVEL_1_CRITERIA: frozenset[str] = frozenset({"RSA", "ASS", "AAH", "DETLD"})
LEVEL_2_CRITERIA: frozenset[str] = frozenset(ELIGIBILITY_CRITERIA) - LEVEL_1_CRITERIA
# Health, disability and justice data (RGPD art. 9 and 10): shown only to the owning structure.
SENSITIVE_CRITERIA: frozenset[str] = frozenset({"TH", "AAH", "DETENTION_MJ", "REF_DA"})
# Level-2 criteria an employer diagnosis needs when no level-1 criterion applies, per kind.
# ETT_ESS and OSP are not conventioned: no employer-diagnosis rule applies to them.
LEVEL_2_CRITERIA_REQUIRED: Mapping[str, int] = {"AI": 2, "ETTI": 2, "ACI": 3, "EI": 3, "EITI": 3}

# --- Orienteurs (ASP nomenclature) ----------------------------------------------------------------

ORIENTEURS: Mapping[str, str] = {
    "01": "Mission locale",
    "02": "Cap emploi",
    "03": "France Travail",
    "04": "PLIE",
    "05": "Service social du département",
    "06": "Autre prescripteur habilité",
    "07": "Candidature spontanée",
    "08": "Orienteur non habilité",
    "09": "SPIP",
    "10": "PJJ",
    "11": "CCAS",
    "12": "CHRS",
    "13": "CIDFF",
    "14": "Club de prévention",
    "15": "AFPA",
    "16": "PIJ-BIJ",
    "17": "CAF",
    "18": "CADA",
    "19": "ASE",
    "20": "CAVA",
    "21": "CPH",
    "22": "CHU",
    "23": "OACAS",
    "99": "Non connu",
}

# --- Niveau de formation (ASP nomenclature) -------------------------------------------------------

EDUCATION_LEVELS: Mapping[str, str] = {
    "00": "Qualifications non certifiantes",
    "01": "Jamais scolarisé",
    "10": "Bac+5 ou plus",
    "20": "Licence",
    "30": "BTS / DUT",
    "40": "Niveau bac",
    "41": "Bac professionnel / BT",
    "50": "Niveau CAP / BEP",
    "51": "CAP / BEP obtenu",
    "60": "Formation courte d'un an",
    "70": "Pas au-delà de la scolarité obligatoire",
}

# --- PASS IAE suspensions (R5132-1-14 and following; Les emplois de l'inclusion) ------------------

SUSPENSION_REASONS: Mapping[str, str] = {
    "CONTRACT_SUSPENDED": "Contrat de travail suspendu depuis plus de 15 jours",
    "CONTRACT_BROKEN": "Contrat de travail rompu",
    "FINISHED_CONTRACT": "Contrat de travail terminé",
    "APPROVAL_BETWEEN_CTA_MEMBERS": (
        "Situation faisant l'objet d'un accord entre les acteurs membres du CTA"
    ),
    "CONTRAT_PASSERELLE": "Bascule dans l'expérimentation contrat passerelle",
}
SUSPENSION_REASON_KINDS: Mapping[str, frozenset[str]] = {
    "CONTRACT_SUSPENDED": ALL_KINDS,
    "CONTRACT_BROKEN": ALL_KINDS,
    "FINISHED_CONTRACT": ALL_KINDS,
    "APPROVAL_BETWEEN_CTA_MEMBERS": ALL_KINDS,
    "CONTRAT_PASSERELLE": frozenset({"EI", "ACI"}),
}

# --- PASS IAE prolongations (R5132-1-8 and following) ---------------------------------------------

PROLONGATION_REASONS: Mapping[str, str] = {
    "SENIOR_CDI": "CDI conclu avec une personne de plus de 57 ans",
    "COMPLETE_TRAINING": "Fin d'une formation",
    "RQTH": "Reconnaissance de la qualité de travailleur handicapé",
    "SENIOR": "50 ans et plus",
    "PARTICULAR_DIFFICULTIES": "Difficultés particulièrement importantes",
}


@dataclass(frozen=True)
class ProlongationRule:
    """Limits of one prolongation reason; None means no numeric limit ("until retirement").

    `max_days_in_total` caps every prolongation of the PASS together, whatever their reasons
    (the State's platform sums them all before checking the reason of a new one);
    `needs_prescriber` says the reason needs an authorised prescriber's agreement.
    """

    max_days_per_request: int | None
    max_days_in_total: int | None
    kinds: frozenset[str]
    needs_prescriber: bool = False


# Durations in days, a year counted as 365 days (our choice, as the State's platform counts them).
# COMPLETE_TRAINING has no total in days: it lasts "until the training ends" (a training must run).
# SENIOR_CDI lasts until retirement, with the platform's technical cap of 10 years.
PROLONGATION_RULES: Mapping[str, ProlongationRule] = {
    "SENIOR_CDI": ProlongationRule(None, 10 * 365, ALL_KINDS),
    "COMPLETE_TRAINING": ProlongationRule(365, None, ALL_KINDS),
    "RQTH": ProlongationRule(365, 3 * 365, ALL_KINDS, needs_prescriber=True),
    "SENIOR": ProlongationRule(365, 5 * 365, ALL_KINDS, needs_prescriber=True),
    "PARTICULAR_DIFFICULTIES": ProlongationRule(
        365, 3 * 365, frozenset({"AI", "ACI"}), needs_prescriber=True
    ),
}

# Who agreed to a prolongation whose reason needs it (`approved_by`).
PROLONGATION_APPROVERS: Mapping[str, str] = {"prescriber": "Prescripteur habilité"}

# --- Exits (ASP typology of exits; DGEFP indicators of the dialogue de gestion) -------------------

EXIT_CATEGORIES: Mapping[str, str] = {
    "emploi_durable": "Emploi durable",
    "emploi_transition": "Emploi de transition",
    "sortie_positive": "Sortie positive",
    "autre_sortie": "Autre sortie",
    "retrait": "Retrait (sortie non comptabilisée)",
}
# "Sorties dynamiques": durable + transition + positive.
DYNAMIC_CATEGORIES: frozenset[str] = frozenset(
    {"emploi_durable", "emploi_transition", "sortie_positive"}
)
# Withdrawn exits are never counted.
WITHDRAWN_CATEGORY = "retrait"

EXIT_REASONS: Mapping[str, str] = {
    "cdi": "Embauche en CDI non aidé",
    "cdi_aide": "Embauche en CDI aidé",
    "cdi_structure": "CDI dans la structure ou une filiale",
    "cdd_6_mois_plus": "CDD ou intérim de 6 mois et plus (sans aide)",
    "fonction_publique": "Intégration dans la fonction publique",
    "creation_entreprise": "Création ou reprise d'entreprise",
    "cdi_inclusion": "CDI inclusion",
    "cdd_moins_6_mois": "CDD ou intérim de moins de 6 mois (hors IAE)",
    "contrat_aide": "Contrat aidé à durée déterminée chez un autre employeur (hors IAE)",
    "formation_qualifiante": "Entrée en formation qualifiante ou pré-qualifiante",
    "autre_siae": "Embauche dans une autre structure IAE",
    "autre_sortie_positive": "Autre sortie reconnue comme positive",
    "chomage": "Au chômage",
    "inactif": "Inactif",
    "sans_nouvelles": "Sans nouvelles",
    "retraite": "Prise des droits à la retraite",
    "rupture_essai": "Rupture pendant la période d'essai",
    "licenciement": "Rupture à l'initiative de l'employeur",
    "decision_justice": "Décision administrative ou de justice",
    "autre": "Autre",
    "deces": "Décès",
    "conge_longue_duree": "Congé de longue durée (maladie, maternité)",
}
EXIT_REASON_CATEGORY: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "cdi",
            "cdi_aide",
            "cdi_structure",
            "cdd_6_mois_plus",
            "fonction_publique",
            "creation_entreprise",
            "cdi_inclusion",
        ),
        "emploi_durable",
    ),
    **dict.fromkeys(("cdd_moins_6_mois", "contrat_aide"), "emploi_transition"),
    **dict.fromkeys(
        ("formation_qualifiante", "autre_siae", "autre_sortie_positive"), "sortie_positive"
    ),
    **dict.fromkeys(
        (
            "chomage",
            "inactif",
            "sans_nouvelles",
            "retraite",
            "rupture_essai",
            "licenciement",
            "decision_justice",
            "autre",
        ),
        "autre_sortie",
    ),
    **dict.fromkeys(("deces", "conge_longue_duree"), "retrait"),
}

# --- After the exit (docs/domain.md §8) ---------------------------------------------------------

# What became of the person 1, 3, 6 or 12 months after the exit: the exit reasons' codes, plus
# `inconnu` when nobody could say.
UNKNOWN_SITUATION = "inconnu"
POST_EXIT_SITUATIONS: Mapping[str, str] = {
    **EXIT_REASONS,
    UNKNOWN_SITUATION: "Situation inconnue",
}
POST_EXIT_SOURCES: Mapping[str, str] = {
    "person": "La personne",
    "employer": "L'employeur",
    "other": "Une autre source",
}

# --- Mise à disposition (L5132-7 and following) ---------------------------------------------------

CLIENT_KINDS: Mapping[str, str] = {
    "particulier": "Particulier",
    "entreprise": "Entreprise",
    "association": "Association",
    "collectivite": "Collectivité territoriale",
}
# Only a company MAD carries the client's SIRET and counts toward the 480-hour limit (L5132-9).
COMPANY_CLIENT_KIND = "entreprise"

# --- Support, training, immersion -----------------------------------------------------------------

SUPPORT_DOMAINS: Mapping[str, str] = {
    "social": "Accompagnement social (levée des freins)",
    "professional": "Accompagnement professionnel",
}
SUPPORT_TOPICS: Mapping[str, str] = {
    "illettrisme": "Illettrisme / FLE",
    "demarches": "Démarches administratives, accès aux droits",
    "logement": "Hébergement / logement",
    "mobilite": "Mobilité",
    "sante": "Santé",
    "justice": "Justice",
    "surendettement": "Surendettement",
    "disponibilite": "Garde d'enfants, manque de disponibilité",
    "projet_professionnel": "Projet professionnel",
    "techniques_recherche_emploi": "Techniques de recherche d'emploi",
    "bilan_competences": "Bilan de compétences",
    "autre": "Autre accompagnement professionnel",
}
SUPPORT_TOPIC_DOMAIN: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "illettrisme",
            "demarches",
            "logement",
            "mobilite",
            "sante",
            "justice",
            "surendettement",
            "disponibilite",
        ),
        "social",
    ),
    **dict.fromkeys(
        ("projet_professionnel", "techniques_recherche_emploi", "bilan_competences", "autre"),
        "professional",
    ),
}
# Health and justice (RGPD art. 9 and 10).
SENSITIVE_SUPPORT_TOPICS: frozenset[str] = frozenset({"sante", "justice"})
SUPPORT_DELIVERIES: Mapping[str, str] = {
    "internal": "En interne",
    "external": "Par un partenaire extérieur",
}

TRAINING_KINDS: Mapping[str, str] = {
    "qualifying": "Formation qualifiante / certifiante",
    "pre_qualifying": "Formation pré-qualifiante",
    "adaptation": "Adaptation au poste de travail",
    "other": "Autre formation",
}

# PMSMP objectives (Code du travail D5135-1 and following).
IMMERSION_OBJECTIVES: Mapping[str, str] = {
    "discover": "Découvrir un métier ou un secteur d'activité",
    "confirm": "Confirmer un projet professionnel",
    "recruit": "Initier une démarche de recrutement",
}
# Kinds that cannot prescribe a PMSMP (décret 2023-1304).
NO_IMMERSION_KINDS: frozenset[str] = frozenset({"ETTI"})
# Who prescribed a PMSMP: the structure itself, or France Travail — which may prescribe one to an
# ETTI's employee (décret 2023-1304, docs/domain.md §5).
IMMERSION_PRESCRIBERS: Mapping[str, str] = {
    "structure": "La structure",
    "france_travail": "France Travail",
}
PRESCRIBER_FOR_ANY_KIND = "france_travail"

# --- Public characteristics kept in statistics ----------------------------------------------------

SEXES: Mapping[str, str] = {"F": "Femme", "M": "Homme"}
AGE_BANDS: Mapping[str, str] = {
    "under_26": "Moins de 26 ans",
    "26_49": "De 26 à 49 ans",
    "50_plus": "50 ans et plus",
}


def label(table: Mapping[str, str], code: str) -> str:
    """French label of a code; the code itself when unknown, so a retired code still displays."""
    return table.get(code, code)


# Month names as staff read them (« mars 2025 »).
MONTHS_FR: tuple[str, ...] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

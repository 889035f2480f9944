"""French texts of warnings and alerts: structure staff read them, each cites its legal source."""

from datetime import date

from shared.domain.codes import CONTRACT_TYPES, PROLONGATION_REASONS, label
from shared.domain.limits import (
    AI_MAD_COMPANY_MAX_HOURS,
    CDDI_MAX_WEEKLY_HOURS,
    CDDI_MIN_WEEKLY_HOURS,
    CDI_INCLUSION_MIN_AGE,
    CDI_INCLUSION_MIN_PATHWAY_MONTHS,
    SUSPENSION_MAX_BACKDATING_DAYS,
)
from shared.domain.pathway.limits import MadWindow


def french_date(day: date) -> str:
    """Date as staff write it: 05/01/2026 (formatted by hand: a rebuild writes millions)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def french_hours(hours: float) -> str:
    """Hours with a decimal comma and no useless decimals: 412 h, 412,5 h."""
    return f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " h"


def pass_end_on_differs(sent: date, computed: date) -> str:
    """A PASS IAE end sent with the opening that is not two years after its start (L5132-1)."""
    return (
        f"La fin du PASS IAE envoyée ({french_date(sent)}) ne correspond pas à sa durée de deux "
        f"ans, qui le fait finir le {french_date(computed)} : vérifiez la date ou les "
        "suspensions et prolongations qui l'expliquent (article L5132-1 du code du travail)."
    )


def pass_waiting_period(previous_end_on: date, waiting_until: date) -> str:
    """An employer-diagnosed opening within two years after the person's last PASS ended."""
    return (
        f"Le dernier PASS IAE de cette personne a pris fin le {french_date(previous_end_on)} : "
        f"jusqu'au {french_date(waiting_until)} (délai de carence de deux ans), l'éligibilité "
        "doit être établie par un prescripteur habilité, pas par un diagnostic de l'employeur."
    )


def prolongation_not_approved(reason: str) -> str:
    """A prolongation whose reason needs an authorised prescriber's agreement, sent without it."""
    return (
        f"Prolongation du PASS IAE pour le motif « {label(PROLONGATION_REASONS, reason)} » "
        "sans l'accord d'un prescripteur habilité, que ce motif exige : enregistrée, mais "
        "à régulariser (approved_by : prescriber)."
    )


def suspension_backdated(start_on: date, recorded_on: date) -> str:
    """A PASS suspension starting more than 365 days before it is recorded."""
    return (
        f"Suspension du PASS IAE commençant le {french_date(start_on)}, plus de "
        f"{SUSPENSION_MAX_BACKDATING_DAYS} jours avant son enregistrement "
        f"({french_date(recorded_on)}) : une suspension ne peut être rétroactive que de "
        f"{SUSPENSION_MAX_BACKDATING_DAYS} jours."
    )


def ai_480_hours(window: MadWindow) -> str:
    """AI MAD hours with companies, all of them together, over the 24-month window opened by
    the first one (L5132-9 2°, R5132-18 2°, D5132-18-1)."""
    where = (
        "Mises à disposition en entreprise, toutes entreprises confondues : "
        f"{french_hours(window.hours)} sur 24 mois depuis le {french_date(window.start_on)}"
    )
    if window.hours > AI_MAD_COMPANY_MAX_HOURS:
        return f"{where}, plafond légal de {AI_MAD_COMPANY_MAX_HOURS} h dépassé (art. L5132-9)."
    return f"{where} (plafond légal {AI_MAD_COMPANY_MAX_HOURS} h, art. L5132-9)."


def cddi_24_months(limit_on: date) -> str:
    """Cumulated CDDI beyond 24 months (L5132-15-1)."""
    return (
        "Durée cumulée des CDDI supérieure à 24 mois "
        f"(limite atteinte le {french_date(limit_on)}) : au-delà, seulement pour achever "
        "une formation ou pour un salarié de 50 ans et plus ou reconnu travailleur handicapé "
        "(art. L5132-15-1)."
    )


def cddi_min_4_months(start_on: date, planned_end_on: date) -> str:
    """CDDI shorter than the legal minimum (L5132-15-1)."""
    return (
        f"CDDI de moins de 4 mois (du {french_date(start_on)} au {french_date(planned_end_on)}) : "
        "durée minimale légale de 4 mois (art. L5132-15-1)."
    )


def cddi_weekly_hours(weekly_hours: float, lower_allowed: bool) -> str:
    """CDDI weekly hours outside the legal range (L5132-15-1)."""
    hours = french_hours(weekly_hours)
    if lower_allowed:
        limit = f"{CDDI_MAX_WEEKLY_HOURS} h"
        return f"Durée hebdomadaire du CDDI de {hours} au-delà de {limit} (art. L5132-15-1)."
    return (
        f"Durée hebdomadaire du CDDI de {hours} hors de la plage légale de "
        f"{CDDI_MIN_WEEKLY_HOURS} à {CDDI_MAX_WEEKLY_HOURS} h (art. L5132-15-1)."
    )


def mission_24_months(start_on: date, limit_on: date) -> str:
    """One ETTI mission contract beyond 24 months, its renewals included (L5132-6)."""
    return (
        f"Contrat de mission commencé le {french_date(start_on)} : durée supérieure à 24 mois, "
        f"renouvellements compris (limite atteinte le {french_date(limit_on)}, art. L5132-6)."
    )


def cdi_inclusion_conditions(age: int | None, months: float) -> str:
    """CDI inclusion signed outside its conditions (loi 2020-1577, art. 9)."""
    reasons = []
    if age is not None and age < CDI_INCLUSION_MIN_AGE:
        reasons.append(f"salarié de {age} ans")
    if months < CDI_INCLUSION_MIN_PATHWAY_MONTHS:
        reasons.append(f"{months:.1f} mois de parcours".replace(".", ","))
    return (
        f"CDI inclusion hors des conditions légales ({CDI_INCLUSION_MIN_AGE} ans et plus, "
        f"{CDI_INCLUSION_MIN_PATHWAY_MONTHS} mois de parcours) : {', '.join(reasons)} "
        "(loi 2020-1577, art. 9)."
    )


def pass_ending(number: str | None, end_on: date) -> str:
    """PASS IAE about to end; its number only where it is known (never outside the structure)."""
    named = f"Le PASS IAE {number}" if number else "Le PASS IAE"
    return f"{named} prend fin le {french_date(end_on)}."


def contract_ending(contract_type: str, end_on: date) -> str:
    """Contract about to reach its planned end."""
    return f"{label(CONTRACT_TYPES, contract_type)} : fin prévue le {french_date(end_on)}."


def post_exit_due(months_after: int, due_on: date) -> str:
    """A follow-up after the exit to record (docs/domain.md §8: asked by FSE+ and funders)."""
    return (
        f"Suivi à {months_after} mois après la sortie à renseigner d'ici le "
        f"{french_date(due_on)} : que devient la personne\u00a0?"
    )

"""How staff read a pathway's events: the French name of each type and a one-line summary of its
data, from the code tables' labels (the person's file shows the pathway's timeline)."""

from collections.abc import Callable, Mapping
from typing import Any

from shared.domain import codes
from shared.domain import events as ev
from shared.domain.codes import label
from shared.domain.pathway.messages import french_hours
from shared.domain.post_exit import MONTHS_AFTER_LABELS

Data = dict[str, Any]

EVENT_TYPE_LABELS: Mapping[str, str] = {
    ev.PATHWAY_OPENED: "Entrée en parcours",
    ev.CONTRACT_STARTED: "Début de contrat",
    ev.CONTRACT_RENEWED: "Renouvellement de contrat",
    ev.CONTRACT_ENDED: "Fin de contrat",
    ev.MISE_A_DISPOSITION_RECORDED: "Mise à disposition",
    ev.HOURS_WORKED_RECORDED: "Heures travaillées",
    ev.TRAINING_STARTED: "Début de formation",
    ev.TRAINING_COMPLETED: "Fin de formation",
    ev.SUPPORT_ACTION_RECORDED: "Action d'accompagnement",
    ev.IMMERSION_RECORDED: "Immersion (PMSMP)",
    ev.PASS_SUSPENDED: "Suspension du PASS IAE",
    ev.PASS_PROLONGED: "Prolongation du PASS IAE",
    ev.PATHWAY_EXITED: "Sortie",
    ev.EVENT_VOIDED: "Annulation d'un événement",
    ev.POST_EXIT_SITUATION_RECORDED: "Situation après la sortie",
}


def _day(value: Any) -> str:
    """An ISO date as staff write it (05/01/2026); anything else as it is."""
    text = str(value or "")
    parts = text.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else text


def _opened(d: Data) -> str:
    criteria = (d.get("eligibility") or {}).get("criteria") or []
    found = ", ".join(label(codes.ELIGIBILITY_CRITERIA, c) for c in criteria)
    return f"Orientation : {label(codes.ORIENTEURS, d.get('orienteur', ''))} — critères : {found}"


def _started(d: Data) -> str:
    end = f" au {_day(d['planned_end_on'])}" if d.get("planned_end_on") else ""
    hours = french_hours(float(d.get("weekly_hours") or 0))
    kind = label(codes.CONTRACT_TYPES, d.get("contract_type", ""))
    return f"{kind}, du {_day(d.get('start_on'))}{end}, {hours} par semaine"


def _mad(d: Data) -> str:
    hours = french_hours(float(d.get("hours") or 0))
    kind = label(codes.CLIENT_KINDS, d.get("client_kind", ""))
    return f"{kind} : {hours} du {_day(d.get('start_on'))} au {_day(d.get('end_on'))}"


def _post_exit(d: Data) -> str:
    when = MONTHS_AFTER_LABELS.get(d.get("months_after", 0), "")
    situation = label(codes.POST_EXIT_SITUATIONS, d.get("situation", ""))
    source = label(codes.POST_EXIT_SOURCES, d.get("source", ""))
    return f"{when} : {situation} (source : {source.lower()})"


SUMMARIES: Mapping[str, Callable[[Data], str]] = {
    ev.PATHWAY_OPENED: _opened,
    ev.CONTRACT_STARTED: _started,
    ev.CONTRACT_RENEWED: lambda d: f"Nouvelle fin prévue le {_day(d.get('planned_end_on'))}",
    ev.CONTRACT_ENDED: lambda d: (
        f"Fin le {_day(d.get('ended_on'))} : "
        f"{label(codes.CONTRACT_END_REASONS, d.get('reason', ''))}"
    ),
    ev.MISE_A_DISPOSITION_RECORDED: _mad,
    ev.HOURS_WORKED_RECORDED: lambda d: (
        f"Mois {'/'.join(reversed(str(d.get('month', '')).split('-')))} : "
        f"{french_hours(float(d.get('hours') or 0))}"
    ),
    ev.TRAINING_STARTED: lambda d: d.get("title") or label(codes.TRAINING_KINDS, d.get("kind", "")),
    ev.TRAINING_COMPLETED: lambda d: (
        f"{french_hours(float(d.get('hours') or 0))}, "
        f"{'certifiante' if d.get('certified') else 'non certifiante'}"
    ),
    ev.SUPPORT_ACTION_RECORDED: lambda d: label(codes.SUPPORT_TOPICS, d.get("topic", "")),
    ev.IMMERSION_RECORDED: lambda d: f"Du {_day(d.get('start_on'))} au {_day(d.get('end_on'))}",
    ev.PASS_SUSPENDED: lambda d: (
        f"Du {_day(d.get('start_on'))} au {_day(d.get('end_on'))} : "
        f"{label(codes.SUSPENSION_REASONS, d.get('reason', ''))}"
    ),
    ev.PASS_PROLONGED: lambda d: (
        f"Jusqu'au {_day(d.get('end_on'))} : "
        f"{label(codes.PROLONGATION_REASONS, d.get('reason', ''))}"
    ),
    ev.PATHWAY_EXITED: lambda d: label(codes.EXIT_REASONS, d.get("reason", "")),
    ev.EVENT_VOIDED: lambda d: d.get("reason") or "Motif effacé avec la personne",
    ev.POST_EXIT_SITUATION_RECORDED: _post_exit,
}


def event_label(event_type: str) -> str:
    return EVENT_TYPE_LABELS.get(event_type, event_type)


def summary(event_type: str, data: Mapping[str, Any]) -> str:
    """One line saying what the event records; empty for a type without one."""
    summarize = SUMMARIES.get(event_type)
    return summarize(dict(data)) if summarize else ""

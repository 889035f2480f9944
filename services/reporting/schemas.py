"""Response and query schemas of the reporting API (documentation of the contract)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.domain.pathway.alerts import CODES


class ByCategory(Schema):
    emploi_durable = fields.Integer()
    emploi_transition = fields.Integer()
    sortie_positive = fields.Integer()
    autre_sortie = fields.Integer()
    retrait = fields.Integer()


class MadHours(Schema):
    particulier = fields.Float()
    entreprise = fields.Float()
    association = fields.Float()
    collectivite = fields.Float()


class Metrics(Schema):
    entries = fields.Integer(allow_none=True)
    active = fields.Integer(allow_none=True)
    exits = fields.Integer(allow_none=True)
    internal_moves = fields.Integer(
        allow_none=True,
        metadata={"description": "Transferts entre deux membres du groupe (rapports de groupe)"},
    )
    counted_exits = fields.Integer(allow_none=True)
    exits_by_category = fields.Nested(ByCategory, allow_none=True)
    counted_exits_by_category = fields.Nested(ByCategory, allow_none=True)
    dynamic_exit_rate = fields.Float(allow_none=True)
    durable_exit_rate = fields.Float(allow_none=True)
    average_months = fields.Float(allow_none=True)
    hours_worked = fields.Float(allow_none=True)
    etp = fields.Float(allow_none=True)
    mad_hours = fields.Nested(MadHours, allow_none=True)
    trainings_completed = fields.Integer(allow_none=True)
    support_actions = fields.Integer(allow_none=True)


class ReportRow(Metrics):
    key = fields.Dict(metadata={"description": "Valeur de chaque dimension (id, AAAA-MM, code)"})
    label = fields.Dict(metadata={"description": "Libellé français de chaque valeur"})
    suppressed = fields.Boolean(metadata={"description": "Moins de 5 personnes : masqué"})


class ReportTotal(Metrics):
    suppressed = fields.Boolean(
        metadata={
            "description": "Présent et vrai quand le total est masqué : sans lui, la seule "
            "ligne masquée se déduirait du total"
        }
    )


class Report(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    group_by = fields.List(fields.String())
    as_of_position = fields.Integer()
    parked_pathways = fields.Integer(
        metadata={
            "description": "Parcours du périmètre mis de côté par la projection : absents de "
            "tous les chiffres tant qu'ils ne sont pas rejoués"
        }
    )
    generated_at = fields.String()
    rows = fields.List(fields.Nested(ReportRow))
    total = fields.Nested(ReportTotal)


class PostExitMetrics(Schema):
    exits = fields.Integer(allow_none=True, metadata={"description": "Sorties de la période"})
    followed_1 = fields.Integer(allow_none=True, metadata={"description": "Suivies à 1 mois"})
    followed_3 = fields.Integer(allow_none=True, metadata={"description": "Suivies à 3 mois"})
    followed_6 = fields.Integer(allow_none=True, metadata={"description": "Suivies à 6 mois"})
    in_employment_6_months = fields.Integer(
        allow_none=True, metadata={"description": "En emploi (durable ou de transition) à 6 mois"}
    )
    rate_in_employment_6_months = fields.Float(
        allow_none=True, metadata={"description": "En emploi à 6 mois / sorties ; nul sans sortie"}
    )
    suppressed = fields.Boolean(metadata={"description": "Moins de 5 sorties : masqué"})


class PostExitRow(PostExitMetrics):
    key = fields.Dict(metadata={"description": "Valeur de chaque dimension (id, AAAA-MM, code)"})
    label = fields.Dict(metadata={"description": "Libellé français de chaque valeur"})


class PostExitReport(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    group_by = fields.List(fields.String())
    as_of_position = fields.Integer()
    generated_at = fields.String()
    rows = fields.List(fields.Nested(PostExitRow))
    total = fields.Nested(PostExitMetrics)


class EtpMetrics(Schema):
    etp_conventioned = fields.Float(
        metadata={"description": "Moyenne mensuelle des ETP financés par les annexes en vigueur"}
    )
    etp_realised = fields.Float(
        metadata={"description": "Moyenne mensuelle de heures × 12 / heures de référence"}
    )
    consumption_rate = fields.Float(
        allow_none=True, metadata={"description": "Réalisés / conventionnés ; nul sans annexe"}
    )
    hours_worked = fields.Float()
    hours_outside_annex = fields.Float(
        metadata={"description": "Heures des mois qu'aucune annexe comptée ne couvre"}
    )


class EtpRow(EtpMetrics):
    key = fields.Dict(metadata={"description": "Valeur de chaque dimension (id, AAAA-MM, code)"})
    label = fields.Dict(metadata={"description": "Libellé français de chaque valeur"})


class EtpReport(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    group_by = fields.List(fields.String())
    as_of_position = fields.Integer()
    rows = fields.List(fields.Nested(EtpRow))
    total = fields.Nested(EtpMetrics)


class AlertArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    structure_id = fields.UUID(load_default=None)
    code = fields.String(load_default=None, validate=validate.OneOf(CODES))


class Alert(Schema):
    pathway_id = fields.String(
        allow_none=True, metadata={"description": "Nul pour une alerte d'annexe financière"}
    )
    structure_id = fields.String()
    code = fields.String()
    message = fields.String()
    due_on = fields.String()


class AlertPage(Schema):
    items = fields.List(fields.Nested(Alert))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class ParkedOut(Schema):
    """A pathway set aside by a projection: the event from which it cannot be derived."""

    pathway_id = fields.UUID()
    position = fields.Integer(metadata={"description": "Position de l'événement dans le journal"})
    occurred_on = fields.Date(metadata={"description": "Date de l'événement"})
    type = fields.String()
    error = fields.String()


class ProjectionOut(Schema):
    name = fields.String()
    position = fields.Integer()
    head_position = fields.Integer(allow_none=True)
    lag_events = fields.Integer(allow_none=True)
    lag_seconds = fields.Float(allow_none=True)
    status = fields.String()
    last_error = fields.String(allow_none=True)
    parked = fields.Integer(metadata={"description": "Parcours mis de côté"})
    oldest_parked = fields.Nested(
        ParkedOut,
        allow_none=True,
        metadata={"description": "Le parcours mis de côté le plus ancien (position la plus basse)"},
    )


class RetriedOut(Schema):
    name = fields.String()
    pathway_id = fields.UUID()
    status = fields.String(
        metadata={"description": "`applied` : le parcours est de nouveau dérivé"}
    )


class RebuildOut(Schema):
    name = fields.String()
    status = fields.String()

"""The measure a pathway names at opening (docs/domain.md §6b): one of its structure's kind,
never an FDI, none for kinds without a convention."""

import pytest
from pathway_builders import context, errors_of, opened

from services.pathways.decide.pathway import PathwayState
from shared.domain.measures import pathway_measure
from shared.domain.pathway.state import fold_records


@pytest.mark.parametrize(
    ("kind", "measure"), [("ACI", "ACI_DC"), ("ACI", "ACI_MP"), ("EI", "EI_MP")]
)
def test_a_measure_of_the_structures_kind_is_accepted(kind, measure):
    assert errors_of(PathwayState(), opened(measure=measure), ctx=context(kind=kind)) == {}


@pytest.mark.parametrize(
    ("kind", "measure", "message"),
    [
        ("ACI", "EI_DC", "EI_DC is not a measure of a ACI: ACI_DC, ACI_MP."),
        (
            "ACI",
            "FDI_ACI",
            "FDI_ACI (fonds départemental d'insertion) is not an aide au poste measure.",
        ),
        ("ETT_ESS", "ETTI_DC", "A structure of kind ETT_ESS has no convention, hence no measure."),
        ("OSP", "ACI_DC", "A structure of kind OSP has no convention, hence no measure."),
    ],
)
def test_a_measure_that_does_not_fit_is_refused(kind, measure, message):
    errors = errors_of(PathwayState(), opened(measure=measure), ctx=context(kind=kind))
    assert errors == {"events.0.data.measure": [message]}


def test_an_unknown_measure_is_refused_by_the_schema():
    errors = errors_of(PathwayState(), opened(measure="XYZ_DC"))
    assert list(errors) == ["events.0.data.measure"]


def test_the_fold_keeps_the_measure_and_the_default_is_the_kinds():
    state = fold_records([opened(measure="ACI_MP")])
    assert state.measure == "ACI_MP"
    assert fold_records([opened()]).measure is None
    assert pathway_measure("ACI", None) == "ACI_DC"
    assert pathway_measure("ACI", "ACI_MP") == "ACI_MP"
    assert pathway_measure("OSP", None) is None

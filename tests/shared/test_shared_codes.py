from shared.domain import codes
from shared.domain.identifiers import is_valid_department
from shared.domain.territories import DEPARTMENT_REGION, DEPARTMENTS, REGIONS


def test_every_exit_reason_has_a_known_category():
    assert set(codes.EXIT_REASON_CATEGORY) == set(codes.EXIT_REASONS)
    assert set(codes.EXIT_REASON_CATEGORY.values()) == set(codes.EXIT_CATEGORIES)


def test_dynamic_categories_are_durable_transition_and_positive():
    assert {"emploi_durable", "emploi_transition", "sortie_positive"} == codes.DYNAMIC_CATEGORIES


def test_every_contract_type_names_the_kinds_allowed_to_sign_it():
    assert set(codes.CONTRACT_TYPE_KINDS) == set(codes.CONTRACT_TYPES)
    assert all(kinds <= codes.ALL_KINDS for kinds in codes.CONTRACT_TYPE_KINDS.values())


def test_cddi_is_only_for_ai_ei_and_aci():
    assert codes.CONTRACT_TYPE_KINDS["CDDI"] == {"AI", "EI", "ACI"}


def test_only_state_conventioned_kinds_are_flagged_conventioned():
    assert codes.ALL_KINDS - {"ETT_ESS", "OSP"} == codes.CONVENTIONED_KINDS


def test_criteria_are_split_into_level_one_and_level_two():
    assert {"RSA", "ASS", "AAH", "DETLD"} == codes.LEVEL_1_CRITERIA
    assert len(codes.LEVEL_2_CRITERIA) == 14
    assert set(codes.ELIGIBILITY_CRITERIA) >= codes.SENSITIVE_CRITERIA


def test_every_conventioned_kind_has_a_level_two_requirement():
    assert set(codes.LEVEL_2_CRITERIA_REQUIRED) == codes.CONVENTIONED_KINDS


def test_every_support_topic_belongs_to_a_known_domain():
    assert set(codes.SUPPORT_TOPIC_DOMAIN) == set(codes.SUPPORT_TOPICS)
    assert set(codes.SUPPORT_TOPIC_DOMAIN.values()) == set(codes.SUPPORT_DOMAINS)


def test_every_suspension_and_prolongation_reason_has_its_rule():
    assert set(codes.SUSPENSION_REASON_KINDS) == set(codes.SUSPENSION_REASONS)
    assert set(codes.PROLONGATION_RULES) == set(codes.PROLONGATION_REASONS)


def test_the_orienteur_table_holds_the_asp_codes():
    assert len(codes.ORIENTEURS) == 24
    assert codes.ORIENTEURS["03"] == "France Travail"


def test_the_101_departements_each_map_to_one_of_the_18_regions():
    # Saint-Pierre-et-Miquelon (975) used to get a region of its own: it is a collectivité
    # d'outre-mer, not a département (docs/domain.md §2), as are 977 and 978.
    assert len(DEPARTMENTS) == 101
    assert len(REGIONS) == 18
    assert set(DEPARTMENT_REGION.values()) == set(REGIONS)
    assert not {"975", "977", "978"} & set(DEPARTMENTS)
    assert not any(is_valid_department(code) for code in ("975", "977", "978"))


def test_a_label_is_the_french_text_of_a_code():
    assert codes.label(codes.STRUCTURE_KINDS, "ACI") == "Atelier et chantier d'insertion"


def test_an_unknown_code_is_labelled_with_itself():
    assert codes.label(codes.SEXES, "X") == "X"

"""Numeric limits of the IAE rules: legal ones with their source, and our choices, named once.

A value marked *our choice* has no official text; docs/adr/0005-domain-interpretations.md
lists them.
"""

# --- Persons --------------------------------------------------------------------------------------

# A person is aged at least 16 (legal minimum working age, L4153-1) and under 100 (domain §2).
PERSON_MIN_AGE = 16
PERSON_MAX_AGE = 100
# Age bands kept in statistics at entry: under 26 (JEUNE), 50 and over (SENIOR).
YOUNG_AGE_LIMIT = 26
SENIOR_AGE = 50

# --- PASS IAE (R5132-1-8 and following) -----------------------------------------------------------

# A PASS lasts 2 years: end = start + 730 days - 1.
PASS_DURATION_DAYS = 730
# After a PASS ends, 2 years before a new pathway without an authorised prescriber.
PASS_WAITING_PERIOD_DAYS = 730
# A suspension lasts 36 months at most: it ends on its start + 36 months - 1 day at the latest.
SUSPENSION_MAX_MONTHS = 36
# A suspension may start at most 365 days before the day it is recorded (the State's platform
# refuses more; we store it with a warning, since the structure records what happened).
SUSPENSION_MAX_BACKDATING_DAYS = 365
# A prolongation is declared from 12 months before to 6 months after the current end date.
PROLONGATION_DECLARED_MONTHS_BEFORE = 12
PROLONGATION_DECLARED_MONTHS_AFTER = 6
# SENIOR_CDI prolongation: "CDI conclu avec une personne de plus de 57 ans"; read as aged 57 or
# more on the declaration date (our choice), as for the CDI inclusion.
SENIOR_CDI_MIN_AGE = 57

# --- Contracts (L5132-5, L5132-6, L5132-15-1; loi 2020-1577) --------------------------------------

MAX_WEEKLY_HOURS = 48  # absolute maximum of working time (L3121-20): more is impossible data
CDDI_MIN_MONTHS = 4
CDDI_MAX_MONTHS = 24
CDDI_MIN_WEEKLY_HOURS = 20
CDDI_MAX_WEEKLY_HOURS = 35
# CDDI: 24 months in total over the pathway (L5132-15-1). ETTI mission contracts: 24 months for
# each contract, its renewals included (L5132-6), not summed over the pathway's missions.
MISSION_MAX_MONTHS = 24
# CDI inclusion: person aged 57 or more, after at least 12 months of pathway (loi 2020-1577 art. 9).
CDI_INCLUSION_MIN_AGE = 57
CDI_INCLUSION_MIN_PATHWAY_MONTHS = 12

# --- Mise à disposition by an AI with companies (L5132-9 2°, R5132-18 2°, D5132-18-1) -------------

# 480 hours over 24 months per employee, all companies together (« dans une ou plusieurs
# entreprises »), the 24 months counted from the first MAD with a company.
AI_MAD_COMPANY_WINDOW_MONTHS = 24
AI_MAD_COMPANY_MAX_HOURS = 480
AI_MAD_COMPANY_ALERT_HOURS = 400  # our choice: warn before the legal limit is reached

# --- Work, training, immersion --------------------------------------------------------------------

MAX_MONTHLY_HOURS = 250  # hours declared for one month (docs/api.md)
MAX_TRAINING_HOURS = 3000  # our choice: above is a typing error, not a training
MAX_SUPPORT_ACTION_HOURS = 500  # our choice: same reasoning for one support action
# PMSMP immersion: 1 month at most (décret 2023-1304).
IMMERSION_MAX_MONTHS = 1

# --- Outcomes (domain §8) and reporting -----------------------------------------------------------

# A counted exit ("sortie examinée"), as the State's data pipeline computes it (pilotage-airflow
# models stg_sorties_aci_ei, heures_ai_etti, sorties_eiti; docs/domain.md §8): in ACI and EI
# (and OSP, our choice) at least 3 months from the first hire to the exit, a month being 365/12
# days, and some hours declared; in AI and ETTI (and ETT_ESS, our choice) at least 150 hours
# worked; in EITI every exit. The pipeline has also used "> 2.65 months": 3 is its current rule.
COUNTED_EXIT_MIN_MONTHS = 3
COUNTED_EXIT_DAYS_PER_MONTH = 365 / 12  # the pipeline's days × 0.0328767
COUNTED_EXIT_MIN_HOURS = 150
DAYS_PER_MONTH = 30.4375  # 365.25 / 12: length of a pathway in months
# Aggregates shown outside the owning structure hide cells of fewer than 5 people.
MIN_CELL = 5

# --- Alerts (staff requests on Les emplois de l'inclusion) ----------------------------------------

PASS_ENDING_ALERT_DAYS = 90
CONTRACT_ENDING_ALERT_DAYS = 30
# A follow-up after the exit (1, 3 or 6 months) is announced this many days before it is due.
POST_EXIT_DUE_ALERT_DAYS = 30

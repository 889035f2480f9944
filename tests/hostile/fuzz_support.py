"""What every fuzzing test checks of an answer, besides "no 5xx": it matches the documented
schema."""

from __future__ import annotations

from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [response_schema_conformance]

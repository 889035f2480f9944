"""What the stateful fuzzing checks of every answer, besides "no 5xx": its status, content type,
headers and body are those the document declares (the stateless run of test_fuzz_openapi.py
runs every check of schemathesis)."""

from __future__ import annotations

from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

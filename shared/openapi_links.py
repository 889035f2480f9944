"""OpenAPI 3 response links: which operation a client may call next with an id it just got.

They document the natural chains (create, then read, change or delete) for readers of the
docs, and let the stateful fuzzer (tests/hostile) follow them.
"""

from __future__ import annotations

from flask_smorest import Blueprint


def link(method: str, path: str, description: str, **parameters: str) -> dict:
    """One link to the operation at `path`, each parameter filled by a runtime expression."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {
        "operationRef": f"#/paths/{pointer}/{method}",
        "description": description,
        "parameters": parameters,
    }


def links(blp: Blueprint, status: int, **named: dict):
    """Document the links of one success answer of a view (documentation only)."""
    return blp.doc(responses={status: {"links": named}})

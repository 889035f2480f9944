"""How the OpenAPI document describes the dashboard's pages: public operations (the session
cookie signs in, not a bearer token; signed out, a page is the sign-in form), answering HTML
pages in French, files for the downloads, and a problem only for a request refused before any
page is drawn."""

from __future__ import annotations

from flask_smorest import Blueprint

from shared.openapi_errors import PROBLEM_REF
from shared.problems import PROBLEM_MIME

EXPORTS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
FILE = {
    "content": {
        "text/html": {"schema": {"type": "string"}},
        **{mime: {"schema": {"type": "string", "format": "binary"}} for mime in EXPORTS.values()},
    }
}
# A request refused before any page is drawn (method, body size or type, rate) is a problem.
PAGE_ERROR = {
    "description": "Page d'erreur en français (HTML), ou problème (problem+json) pour une "
    "requête refusée avant toute page : méthode, taille ou type du corps, débit.",
    "content": {**HTML["content"], PROBLEM_MIME: {"schema": PROBLEM_REF}},
}
SIGNED_OUT = "Session expirée ou jeton révoqué (page HTML)"
OUT_OF_SCOPE = "Donnée hors du périmètre du jeton (page HTML)"
INVALID_CHOICE = "Choix invalide : période, périmètre, format ou tableau (page HTML)"
UNAVAILABLE = "Registre ou rapports momentanément indisponibles (page HTML)"
FORM_EXPIRED = "Formulaire expiré : jeton anti-CSRF absent ou périmé (page HTML)"


def page_doc(blp: Blueprint, summary: str, answers: dict, **errors: str):
    """Document a page of `blp`: public, its answers and its error pages (`responses`)."""
    return blp.doc(summary=summary, security=[], responses=responses(answers, **errors))


def responses(answers: dict, **errors: str) -> dict:
    """A page's answers, its French error pages by status (`e401="…"`) and the default. A 404
    is also a problem: a path whose id is not a UUID matches no page."""
    pages = {
        int(status.removeprefix("e")): {"description": d, **HTML} for status, d in errors.items()
    }
    if 404 in pages:
        pages[404] = {**pages[404], "content": PAGE_ERROR["content"]}
    return {**answers, **pages, "default": PAGE_ERROR}

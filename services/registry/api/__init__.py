"""Registry HTTP API: one thin blueprint per resource; rules live in the modules they call."""

from services.registry.api import annexes, groups, history, structures, tokens

BLUEPRINTS = (structures.blp, groups.blp, annexes.blp, tokens.blp, history.blp)

"""Registry HTTP API: one thin blueprint per resource; rules live in the modules they call."""

from services.registry.api import annexes, groups, history, staff, structures, tokens

BLUEPRINTS = (structures.blp, groups.blp, annexes.blp, tokens.blp, staff.blp, history.blp)

"""Access tokens and scopes: created and revoked by admins; any token can ask who it is."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry import schemas, tokens
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from shared.auth import BOOTSTRAP, SCOPES, current_caller
from shared.db import transaction
from shared.openapi_links import link, links

blp = Blueprint("tokens", __name__, url_prefix="/v1", description="Jetons d'accès et portées")


@blp.route("/tokens")
class TokenList(MethodView):
    @guarded(blp, "admin", BOOTSTRAP)
    @errors(blp, 422)
    @blp.arguments(schemas.TokenIn)
    @blp.response(201, schemas.TokenOut)
    @links(
        blp,
        201,
        RevokeToken=link(
            "delete",
            "/v1/tokens/{token_id}",
            "Révoquer le jeton créé.",
            token_id="$response.body#/id",
        ),
    )
    def post(self, data):
        """Create a token (admin); its secret appears in this answer only, never again. The
        bootstrap token (ADMIN_TOKEN) may create admin tokens, and do nothing else."""
        with transaction(db()) as session:
            return tokens.create(session, current_caller(), data)

    @guarded(blp, "admin")
    @errors(blp, 422)
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, schemas.TokenInfo(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List tokens, newest first, revoked ones included; secrets are never shown."""
        with db()() as session:
            return paged(*tokens.listing(session, page_limit(args), args["offset"]))


@blp.route("/tokens/<uuid:token_id>")
class TokenItem(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404)
    @blp.response(204)
    def delete(self, token_id: uuid.UUID):
        """Revoke a token: every service refuses it within 60 seconds (their cache time)."""
        with transaction(db()) as session:
            tokens.revoke(session, current_caller(), token_id)


@blp.route("/whoami")
class WhoAmI(MethodView):
    @guarded(blp, *SCOPES)
    @blp.response(200, schemas.WhoAmI)
    def get(self):
        """Who the presented token is: the other services authenticate through this."""
        return current_caller().as_dict()

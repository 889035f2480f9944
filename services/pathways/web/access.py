"""Authentication before anything else: a view's scopes are checked before its body is parsed,
so a missing token answers 401 and a wrong scope 403 whatever the body holds."""

from __future__ import annotations

import functools

from shared.auth import require


def scoped(*scopes: str):
    """Decorate a view (outermost) so that only callers with one of `scopes` reach it."""

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            require(*scopes)
            return view(*args, **kwargs)

        return checked

    return wrap

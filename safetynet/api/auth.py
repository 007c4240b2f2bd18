"""Who is calling: a system with an API token, or a signed-in person in the browser.

Tokens are sent as ``Authorization: Bearer snt_…`` (issued by ``safetynet token create``) and
checked by ``accounts.services.token_authenticate``. A browser session is accepted as well; then
unsafe methods must carry the CSRF token (``X-CSRFToken``), because a cookie, unlike a header,
is sent by the browser on its own. The session is only logged in after the second factor
(the sign-in view's job), so the API does not check TOTP again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from safetynet.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_authenticate(token.strip()) if token.strip() else None


class SessionAuth(APIKeyCookie):
    """The Django session of the staff UI, with CSRF protection on writes.

    Unlike ninja's own ``SessionAuth`` the CSRF check runs only when the session actually
    authenticates the request, so an anonymous call or a bad token gets 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        return user

    def _get_key(self, request: HttpRequest) -> str | None:  # pragma: no cover - __call__ replaces it
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None


def caller(request: HttpRequest) -> Any:
    """The authenticated user of an API request (set by ninja from the auth that accepted it)."""
    return request.auth  # type: ignore[attr-defined]


token_auth = TokenAuth()
session_auth = SessionAuth()

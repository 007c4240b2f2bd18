"""How the API reports failure: one shape for every error, in the request's language.

- ``django.core.exceptions.ValidationError`` from a service, and request bodies or query strings
  that do not parse → **422** ``{"errors": {"field": ["message", ...]}}``. Keys are the services'
  ``message_dict`` keys (``members.0.id_number``); parse errors use the same dotted form.
- ``PermissionDenied`` (wrong role) → **403**, ``DoesNotExist`` / ``Http404`` (absent or outside
  the user's scope, deliberately indistinguishable) → **404**, missing or bad credentials →
  **401**; an unexpected failure → **500** with the request id; all as ``{"detail": "message"}``.

Messages are written in Chinese (gettext msgids); LocaleMiddleware picks English for
``Accept-Language: en`` once locale/en has the translations.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")

# Pydantic error types → what the message says (``%(input)s`` is the value received).
PARSE_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("缺少必填字段"),
    "extra_forbidden": gettext_lazy("不接受该字段（请检查字段名）"),
    "string_type": gettext_lazy("必须是文本"),
    "int_type": gettext_lazy("必须是整数"),
    "int_parsing": gettext_lazy("“%(input)s”不是整数"),
    "int_from_float": gettext_lazy("“%(input)s”不是整数"),
    "bool_type": gettext_lazy("必须是 true 或 false"),
    "bool_parsing": gettext_lazy("“%(input)s”不是 true 或 false"),
    "date_type": gettext_lazy("必须是日期（YYYY-MM-DD）"),
    "date_parsing": gettext_lazy("“%(input)s”不是有效日期（应为 YYYY-MM-DD）"),
    "date_from_datetime_parsing": gettext_lazy("“%(input)s”不是有效日期（应为 YYYY-MM-DD）"),
    "date_from_datetime_inexact": gettext_lazy("“%(input)s”不是有效日期（应为 YYYY-MM-DD）"),
    "decimal_parsing": gettext_lazy("“%(input)s”不是数字"),
    "decimal_type": gettext_lazy("必须是数字"),
    "list_type": gettext_lazy("必须是列表"),
    "model_type": gettext_lazy("必须是对象"),
    "model_attributes_type": gettext_lazy("必须是对象"),
    "dict_type": gettext_lazy("必须是对象"),
    "literal_error": gettext_lazy("“%(input)s”不是有效选项（可选：%(expected)s）"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s"),
    "string_too_short": gettext_lazy("不能为空"),
    "string_too_long": gettext_lazy("过长（最多 %(max_length)s 个字符）"),
    "string_pattern_mismatch": gettext_lazy("“%(input)s”格式不正确"),
}
# Where ninja says a value came from; dropped from the error key.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Names under which the API's views receive their body and query models; dropped as well.
_CONTAINERS = {"payload", "filters", "ninja_pagination"}


def _key(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts.pop(0)
    if parts and parts[0] in _CONTAINERS:
        parts.pop(0)
    return ".".join(parts) or "__all__"


def _parse_message(error: dict[str, Any]) -> str:
    template = PARSE_MESSAGES.get(error.get("type", ""))
    if error.get("type") == "value_error":
        # Our own validators raise ValueError with a translated message; pydantic prefixes it.
        return str(error.get("ctx", {}).get("error") or error.get("msg", ""))
    if template is None:
        return str(error.get("msg", _("格式不正确")))
    values = {"input": error.get("input", ""), **{k: v for k, v in (error.get("ctx") or {}).items()}}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def parse_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Ninja's list of pydantic errors → ``{"members.0.birth_date": ["…"]}``."""
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(_key(error.get("loc", ())), []).append(_parse_message(error))
    return result


def _model_name(exc: Exception) -> str:
    for model in apps.get_models():
        if type(exc) is getattr(model, "DoesNotExist", None):
            return str(model._meta.verbose_name)
    return _("记录")


@contextlib.contextmanager
def fields_renamed(mapping: dict[str, str]) -> Iterator[None]:
    """Re-key a service's field errors so that they name the request's own fields.

    ``{"members.0.": ""}`` maps ``members.0.name`` to ``name`` (a prefix ends with a dot);
    ``{"day": "date"}`` renames one key.
    """
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            new = mapping.get(key, key)
            for old_prefix, new_prefix in mapping.items():
                if old_prefix.endswith(".") and key.startswith(old_prefix):
                    new = new_prefix + key[len(old_prefix) :]
            renamed.setdefault(new, []).extend(messages)
        raise type(exc)(renamed) from exc


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API."""

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
        else:
            errors = {"__all__": exc.messages}
        return api.create_response(request, {"errors": errors}, status=422)

    def parse_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"errors": parse_errors(exc.errors)}, status=422)

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        user: Any = getattr(request, "auth", None)
        role = user.get_role_display() if hasattr(user, "get_role_display") else ""
        message = _("您的角色（%(r)s）无权进行此操作") % {"r": role} if role else _("无权进行此操作")
        return api.create_response(request, {"detail": message}, status=403)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _("%(m)s不存在，或不在您的管辖范围内") % {"m": _model_name(exc)}
        return api.create_response(request, {"detail": message}, status=404)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _("需要身份验证：请在 Authorization 头中提供有效的令牌（Bearer），或先登录")
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="safetynet"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        known = {
            "CSRF check Failed": _("CSRF 校验失败：使用登录会话调用写操作时须带 X-CSRFToken 头"),
            "Cannot parse request body": _("请求体不是有效的 JSON"),
        }
        return api.create_response(
            request, {"detail": known.get(exc.message, exc.message)}, status=exc.status_code
        )

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # A bug, not the caller's fault: log it with the request id the caller can quote.
        rid = getattr(request, "request_id", "")
        logger.error("API error on %s %s (request %s)", request.method, request.path, rid, exc_info=exc)
        message = _("服务器内部错误，请联系管理员并提供请求编号 %(r)s") % {"r": rid}
        return api.create_response(request, {"detail": message}, status=500)

    api.add_exception_handler(Exception, server_error)
    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(NinjaValidationError, parse_error)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)

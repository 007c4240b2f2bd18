"""The JSON API under /api/v1/: one NinjaAPI, its authentication, errors and routers.

The OpenAPI document is at /api/v1/openapi.json, the interactive page at /api/v1/docs
(served from local files only, see ``docs.py``). docs/api.md is the guide for integrators.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from safetynet.api import errors
from safetynet.api.auth import session_auth, token_auth
from safetynet.api.docs import LocalSwagger
from safetynet.applications.api import router as applications_router
from safetynet.eligibility.api import router as eligibility_router
from safetynet.payments.api import router as payments_router
from safetynet.registry.api import router as registry_router
from safetynet.verification.api import router as verification_router

DESCRIPTION = """社会救助兜底保障平台的数据接口。

认证：`Authorization: Bearer <令牌>`（`safetynet token create --user NAME` 签发），或浏览器登录会话
（写操作须带 `X-CSRFToken`）。错误：401/403/404 为 `{"detail": "…"}`，422 为
`{"errors": {"字段": ["…"]}}`。列表均分页（`limit` 默认 50、最大 200，`offset`）。
证件号码、电话、银行账号只返回脱敏值；完整值须通过 reveal 接口查看，并记入访问日志。
发送 `Accept-Language: en` 获得英文信息。
"""


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese stays readable in responses (and in curl), instead of \\uXXXX escapes."""

    json_dumps_params = {"ensure_ascii": False}


class SafetyNetAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> NinjaValidationError:
        # Ninja drops the value it could not parse; keep short scalar values so that the
        # message can quote what was received ("“2026-13-01”不是有效日期").
        errors_: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                value = error.get("input")
                error = dict(error)
                error["loc"] = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(
                    error["loc"], error["loc"]
                )
                keep = isinstance(value, str | int | float | bool) and len(str(value)) <= 60
                error["input"] = value if keep else "…"
                if isinstance(error.get("ctx", {}).get("error"), Exception):
                    error["ctx"] = {**error["ctx"], "error": str(error["ctx"]["error"])}
                errors_.append(error)
        return NinjaValidationError(errors_)


api = SafetyNetAPI(
    title="SafetyNet API · 社会救助兜底保障平台",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[token_auth, session_auth],
    renderer=UnicodeJSONRenderer(),
    docs=LocalSwagger(),
)
errors.install(api)
api.add_router("/", registry_router)
api.add_router("/", applications_router)
api.add_router("/", eligibility_router)
api.add_router("/", verification_router)
api.add_router("/", payments_router)

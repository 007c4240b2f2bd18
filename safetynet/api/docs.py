"""The interactive API page at /api/v1/docs, served without any CDN.

Ninja ships Swagger UI in its own static files but only uses them when ``ninja`` is in
INSTALLED_APPS; otherwise it renders a page that loads Swagger UI from a CDN, which an isolated
government network cannot reach (and must not try to). This class never falls back to the CDN:
without ``ninja`` installed as an app it shows a plain page that links to the OpenAPI document.
Swagger UI's online validator (a request to validator.swagger.io) is switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    # Swagger UI would otherwise ask validator.swagger.io to check the document.
    default_settings = {**Swagger.default_settings, "validatorUrl": None}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if "ninja" in settings.INSTALLED_APPS:
            return super().render_page(request, api, **kwargs)
        url = self.get_openapi_url(api, kwargs)
        body = format_html(
            '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{}</title></head>'
            '<body><h1>{}</h1><p>{}</p><p><a href="{}">{}</a></p></body></html>',
            api.title,
            api.title,
            _("交互式接口文档未启用（需在 INSTALLED_APPS 中加入 ninja 以使用本地的 Swagger UI 文件）。"),
            url,
            _("OpenAPI 文档（JSON）"),
        )
        return HttpResponse(body)

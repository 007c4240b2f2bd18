import dataclasses
import json
import re

from django.conf import settings
from django.test import Client

from safetynet.registry.schemas import MemberIn
from safetynet.registry.services import MemberInput, PersonInput

EXPECTED_PATHS = {
    "/api/v1/households": {"get", "post"},
    "/api/v1/households/{household_id}": {"get", "patch"},
    "/api/v1/households/{household_id}/members": {"post"},
    "/api/v1/memberships/{membership_id}/leave": {"post"},
    "/api/v1/households/{household_id}/declarations": {"post"},
    "/api/v1/households/{household_id}/history": {"get"},
    "/api/v1/households/{household_id}/reveal": {"post"},
    "/api/v1/persons/{person_id}": {"get", "patch"},
    "/api/v1/persons/{person_id}/reveal": {"post"},
    "/api/v1/eligibility/evaluate": {"post"},
    "/api/v1/households/{household_id}/evaluation": {"get"},
}


def test_the_openapi_document_is_served_as_json_with_every_path(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    # every registry and eligibility path with exactly its operations (other apps add their own)
    assert {path: paths.get(path) for path in EXPECTED_PATHS} == EXPECTED_PATHS
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    listing = document["paths"]["/api/v1/households"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"id_number", "name", "region", "limit", "offset"}
    assert "422" in document["paths"]["/api/v1/households"]["post"]["responses"]


def _external_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)


def test_the_docs_page_uses_ninjas_local_swagger_files(db):
    from django.contrib.staticfiles import finders

    assert "ninja" in settings.INSTALLED_APPS
    html = Client().get("/api/v1/docs").content.decode()
    assert _external_urls(html) == []
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert '"validatorUrl": null' in html  # no call to validator.swagger.io either
    assert finders.find("ninja/swagger-ui-bundle.js")


def test_the_member_schema_mirrors_the_service_inputs():
    """A field added to PersonInput or MemberInput must be added to the API too, same default."""
    schema_fields = MemberIn.model_fields
    for cls in (PersonInput, MemberInput):
        for field in dataclasses.fields(cls):
            if field.name == "person":
                continue
            assert field.name in schema_fields, field.name
            if field.default is not dataclasses.MISSING:
                assert schema_fields[field.name].default == field.default, field.name

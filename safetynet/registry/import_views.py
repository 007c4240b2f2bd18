"""Household import pages (placeholder until the import work lands)."""

from django.http import Http404


def import_upload(request):
    raise Http404


def import_template(request, fmt: str):
    raise Http404


def import_errors(request, job_id: int):
    raise Http404

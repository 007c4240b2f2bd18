"""Household import pages: upload, result, template and error-file downloads (批量导入).

Thin: parse the form, call ``imports.household_import``, redirect to the job's result
(``?job=<id>``, so a reload does not import twice). Staff roles that may file households
(``add`` on registry.household) may import; a job and its error file are shown only to the
user who ran it. The import runs inside the request (100,000 rows take under a minute on two
cores); larger files are for the ``import-households`` command until imports move to the task
queue.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safetynet.core.models import Job
from safetynet.core.permissions import require
from safetynet.core.views import scoped
from safetynet.registry import imports
from safetynet.registry.models import Household

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("导入文件"), help_text=_("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）"))
    reason = forms.CharField(
        label=_("变更原因"), max_length=200, required=False,
        help_text=_("写入新建档案和户情变更记录；不填时记为“批量导入：文件名”"),
    )  # fmt: skip


def _own_job(request: HttpRequest, job_id: int) -> Job:
    return get_object_or_404(Job, pk=job_id, kind=imports.JOB_KIND, actor=request.user)


@scoped
def import_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Household, "add")
    if request.method == "GET" and request.GET.get("job"):
        try:
            job = _own_job(request, int(request.GET["job"]))
        except ValueError:
            raise Http404 from None
        return render(request, "registry/import_result.html", _result_context(request, job))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.household_import(
            actor=request.user, file=upload, filename=upload.name, reason=form.cleaned_data["reason"]
        )
        return redirect(reverse("registry:import") + f"?job={result.job.pk}")
    return render(request, "registry/import.html", {"form": form, "columns": imports.COLUMNS})


def _result_context(request: HttpRequest, job: Job) -> dict:
    english = (request.LANGUAGE_CODE or "").startswith("en")
    pick = 1 if english else 0
    params = job.params or {}
    return {
        "job": job,
        "counts": job.counts or {},
        "file_error": (params.get("file_error") or [None, None])[pick],
        "notes": [note[pick] for note in params.get("notes", [])],
        "first_errors": [
            {"row": row, "field": header, "reason": reasons[pick]}
            for row, header, *reasons in params.get("first_errors", [])
        ],
        "has_error_file": bool(params.get("errors_file")),
    }


@scoped
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        content, content_type, filename = imports.import_template(fmt)
    except ValueError:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@scoped
def import_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    handle = imports.error_file_open(job)
    if handle is None:
        raise Http404
    with handle:
        response = HttpResponse(handle.read(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response

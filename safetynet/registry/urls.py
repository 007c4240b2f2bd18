from django.urls import path

from safetynet.registry import import_views

app_name = "registry"
urlpatterns = [
    path("import/", import_views.import_upload, name="import"),
    path("import/template.<str:fmt>", import_views.import_template, name="import_template"),
    path("import/<int:job_id>/errors.xlsx", import_views.import_errors, name="import_errors"),
]

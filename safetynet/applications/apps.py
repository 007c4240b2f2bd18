from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "safetynet.applications"
    label = "applications"
    verbose_name = "申请与审核确认"

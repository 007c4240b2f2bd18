from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "safetynet.eligibility"
    label = "eligibility"
    verbose_name = "救助资格评估"

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns: list = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("safetynet.accounts.urls")),
    path("registry/", include("safetynet.registry.urls")),
    path("applications/", include("safetynet.applications.urls")),
    path("eligibility/", include("safetynet.eligibility.urls")),
    path("verification/", include("safetynet.verification.urls")),
    path("payments/", include("safetynet.payments.urls")),
    path("api/v1/", include("safetynet.api.urls")),
    path("", include("safetynet.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL)

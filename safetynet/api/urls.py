"""Mounted at /api/v1/ by config/urls.py; the namespace is ``api``."""

from django.urls import path

from safetynet.api.main import api

urlpatterns = [path("", api.urls)]

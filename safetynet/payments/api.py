"""API endpoints of this app (mounted under /api/v1/ by safetynet/api/main.py)."""

from ninja import Router

router = Router(tags=["payments"])

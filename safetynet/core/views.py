"""The staff home page, and the one decorator every scoped view uses.

``scoped`` turns "not found inside the user's scope" (a ``DoesNotExist`` from
``Model.objects.restrict(...).get``, raised in a view or in a service) into a 404 page.
A wrong role raises ``PermissionDenied``, which Django already answers with the 403 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safetynet.core.permissions import role_allows


def scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a signed-in user; answer records outside the user's scope with 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404(str(exc)) from None

    return login_required(wrapper)


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: a search for a common name in a county matches ten thousand
    households, and counting them all costs more than showing the first page (the list says
    "more than …" and asks for a narrower search)."""

    def __init__(self, *args, cap: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @property
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_capped_count"):
            items = self.object_list.order_by() if hasattr(self.object_list, "order_by") else self.object_list
            self._capped_count = items[: self.cap + 1].count()  # type: ignore[union-attr]  # no ORDER BY: the first matches found will do
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        return self.count >= self.cap and self._capped_count > self.cap


def paginate(request: HttpRequest, items, param: str = "page", per_page: int = 20, count_cap: int | None = None) -> Page:
    """A page of ``items`` with previous/next links that keep the rest of the query string
    (``includes/pagination.html`` shows them). ``count_cap`` bounds the count (searches)."""
    paginator = CappedPaginator(items, per_page, cap=count_cap) if count_cap else Paginator(items, per_page)
    page = paginator.get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.prev_link = link(page.previous_page_number()) if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_link = link(page.next_page_number()) if page.has_next() else ""  # type: ignore[attr-defined]
    return page


HOME_COUNTS_SECONDS = 300


def _home_summary(user) -> dict:
    """What the home page shows: counts in scope and the user's own recent changes."""
    from safetynet.registry.models import ChangeReport, Household, Person

    if not role_allows(user, Household, "view"):
        return {"registry": False}
    persons = Person.objects.restrict(user, "view")
    if user.role == "resident":  # scoped through memberships: one person may match twice
        persons = persons.distinct()
    recent = (
        ChangeReport.objects.restrict(user, "view")
        .filter(created_by=user)
        .select_related("household", "person")
        .order_by("-created_at", "-id")[:10]
    )
    # Counting a county's millions of persons on every page view is too slow (1.8 s at 1M
    # households): the counts are cached per scope for a few minutes.
    key = f"home-counts:{user.role}:{user.region_id}:{user.household_id}"
    counts = cache.get(key)
    if counts is None:
        counts = (Household.objects.restrict(user, "view").filter(status="active").count(), persons.count())
        cache.set(key, counts, HOME_COUNTS_SECONDS)
    return {
        "registry": True,
        "households": counts[0],
        "persons": counts[1],
        "recent": list(recent),
        "can_add": role_allows(user, Household, "add"),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # a signed-in accounts.User (login_required)
    try:
        summary = _home_summary(user)
    except PermissionDenied:
        summary = {"registry": False}
    region = None
    if user.region_id:
        from safetynet.regions.models import Region

        region = (
            Region.objects.select_related("parent__parent__parent__parent")
            .filter(code=user.region_id)
            .first()
        )
    from safetynet.applications.selectors import home_counts

    return render(
        request,
        "core/home.html",
        {
            "summary": summary,
            "region_name": region.full_name() if region else "",
            "workflow": home_counts(user=user),
        },
    )

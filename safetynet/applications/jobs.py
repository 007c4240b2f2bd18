"""Background jobs of the workflow (django-tasks; ``safetynet db_worker`` runs them). Thin: each
calls one service. ``workflow_daily`` is what a scheduler (cron, systemd timer) enqueues once a
day, or runs directly with ``safetynet workflow daily``."""

from django_tasks import task


@task()
def workflow_daily_task() -> dict[str, int]:
    return workflow_daily()


def workflow_daily() -> dict[str, int]:
    """Open the periodic reviews that fall due, change cases for reported changes, recompute
    due dates that were provisional (a holiday schedule entered since), and close the public
    notices whose period is over."""
    from safetynet.applications import services

    return {
        "reviews": services.reviews_schedule(),
        "changes": services.changes_scan(),
        "recomputed": services.deadlines_recompute(),
        "notices_closed": services.notices_close_ended(),
    }


@task()
def deadlines_recompute_task() -> int:
    """Enqueued after a year's holiday schedule is entered."""
    from safetynet.applications import services

    return services.deadlines_recompute()

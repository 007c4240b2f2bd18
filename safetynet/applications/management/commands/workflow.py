"""`safetynet workflow daily | reviews | changes | recompute | table` — the workflow's scheduled
work, runnable by hand or from cron (each prints what it did)."""

import datetime as dt

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "daily: reviews + changes + recompute + close-notices; close-notices: close the public notices "
        "whose period is over and move their cases on (idempotent); reviews: open periodic reviews that fall due; "
        "changes: open change/death reviews for reported changes; recompute: recompute provisional "
        "due dates (after `safetynet calendar enter`); table: print the procedure table; demo-setup: "
        "seed the holiday calendar and the demo city's standards so that cases can be assessed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["daily", "reviews", "changes", "recompute", "close-notices", "table", "demo-setup"],
        )
        parser.add_argument("--date", help="run as of this date (YYYY-MM-DD); default today")

    def handle(self, *args, **options):
        from safetynet.applications import jobs, services, workflow

        today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        action = options["action"]
        if action == "demo-setup":
            self._demo_setup()
            return
        if action == "table":
            for s in workflow.STEPS:
                procedures = ",".join(sorted(s.procedures))
                self.stdout.write(
                    f"{procedures:<24} {s.source:>14} → {s.target:<14} {s.action:<18} "
                    f"{','.join(sorted(s.roles)):<28} {','.join(s.requires) or '-':<50} {s.limit or '-'}"
                )
            return
        if action == "daily" and today is None:
            result = jobs.workflow_daily()
        else:
            result = {}
            if action in ("daily", "reviews"):
                result["reviews"] = services.reviews_schedule(today=today)
            if action in ("daily", "changes"):
                result["changes"] = services.changes_scan(today=today)
            if action in ("daily", "recompute"):
                result["recomputed"] = services.deadlines_recompute(today=today)
            if action in ("daily", "close-notices"):
                result["notices closed"] = services.notices_close_ended(today=today)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))

    def _demo_setup(self) -> None:
        """The holiday calendar (years the chinesecalendar package knows) and the demo parameter
        set of eligibility (domain-rules §8) for the demo city, so that `make demo` can take a
        case through the rules assessment. Idempotent."""
        from safetynet.core.services import calendar_seed_from_library
        from safetynet.eligibility.services import standards_seed
        from safetynet.regions.models import Region

        years = calendar_seed_from_library()
        city = "320100000000"
        created = 0
        if Region.objects.filter(code=city).exists():
            created = standards_seed(actor=None, region_code=city, effective_from=dt.date(2026, 1, 1))
        self.stdout.write(f"calendar years seeded: {len(years)}; demo standards created: {created}")

"""``safetynet payroll build --month 2026-12 [--county 320111000000] [--program dibao]``,
``safetynet payroll demo-seed --county …`` (a few entitlements for ``make demo``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from safetynet.payments import services
from safetynet.payments.models import Entitlement


class Command(BaseCommand):
    help = "发放名册批处理：build 生成月度名册；demo-seed 生成演示待遇"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build")
        build.add_argument("--month", required=True, help="YYYY-MM")
        build.add_argument("--county", action="append", help="12-digit county code (default: every county)")
        build.add_argument("--program", action="append", help="dibao / tekun (default: both)")
        seed = sub.add_parser("demo-seed")
        seed.add_argument("--county", default=None)
        seed.add_argument("--per-township", type=int, default=3)

    def handle(self, *args, **opts):
        if opts["action"] == "demo-seed":
            made = services.demo_seed(county_code=opts["county"], per_township=opts["per_township"])
            self.stdout.write(f"entitlements created: {len(made)}")
            return
        try:
            month = services.parse_month(opts["month"])
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        counties = opts["county"] or sorted(set(Entitlement.objects.values_list("county_code", flat=True)))
        programs = opts["program"] or ["dibao", "tekun"]
        for county in counties:
            for program in programs:
                payroll, created = services.payroll_build(
                    actor=None, county_code=county, program=program, month=month
                )
                state = "created" if created else "exists"
                self.stdout.write(
                    f"{county} {program} {month:%Y-%m}: {state}, lines={payroll.line_count} total={payroll.total}"
                )

"""``safetynet payroll build --month 2026-12 [--county 320111000000] [--program dibao]``,
``safetynet payroll demo-seed --county …`` (a few entitlements for ``make demo``),
``safetynet payroll temporary --month 2026-12 [--county …]`` (临时救助 payroll of the month),
``safetynet payroll price-subsidy --county CODE --month 2026-12 --cpi 3.5`` (价格临时补贴)."""

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
        raise_ = sub.add_parser("raise-standard", help="提标：按新标准重算某区划的待遇")
        raise_.add_argument("--region", required=True, help="12-digit region code")
        raise_.add_argument("--from", dest="from_month", required=True, help="YYYY-MM")
        raise_.add_argument("--program", action="append", help="dibao / tekun (default: both)")
        raise_.add_argument("--reason", default="")
        raise_.add_argument("--document", default="", help="文号")
        temp = sub.add_parser("temporary")
        temp.add_argument("--month", required=True, help="YYYY-MM")
        temp.add_argument("--county", action="append", help="12-digit county code (default: every county)")
        price = sub.add_parser("price-subsidy")
        price.add_argument("--county", required=True, help="12-digit county code")
        price.add_argument("--month", required=True, help="YYYY-MM")
        price.add_argument("--cpi", required=True, help="CPI month-on-year rise in %, e.g. 3.5")
        seed = sub.add_parser("demo-seed")
        seed.add_argument("--county", default=None)
        seed.add_argument("--per-township", type=int, default=3)

    def handle(self, *args, **opts):
        if opts["action"] == "demo-seed":
            made = services.demo_seed(county_code=opts["county"], per_township=opts["per_township"])
            self.stdout.write(f"entitlements created: {len(made)}")
            return
        if opts["action"] == "raise-standard":
            self._raise_standard(opts)
            return
        try:
            month = services.parse_month(opts["month"])
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        if opts["action"] == "price-subsidy":
            from django.core.exceptions import ValidationError

            try:
                payroll, created = services.price_subsidy_build(
                    actor=None, county_code=opts["county"], month=month, cpi=opts["cpi"]
                )
            except ValidationError as exc:
                raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
            state = "created" if created else "exists"
            self.stdout.write(
                f"{opts['county']} price_subsidy {month:%Y-%m}: {state}, lines={payroll.line_count} total={payroll.total}"
            )
            return
        if opts["action"] == "temporary":
            from safetynet.payments.models import TemporaryStage

            services.temporary_sync(actor=None)
            counties = opts["county"] or sorted(
                set(TemporaryStage.objects.values_list("county_code", flat=True))
            )
            for county in counties:
                payroll, created = services.temporary_payroll_build(
                    actor=None, county_code=county, month=month
                )
                state = "created" if created else "exists"
                self.stdout.write(
                    f"{county} temporary {month:%Y-%m}: {state}, lines={payroll.line_count} total={payroll.total}"
                )
            return
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

    def _raise_standard(self, opts) -> None:
        from django.core.exceptions import ValidationError

        try:
            month = services.parse_month(opts["from_month"])
            for program in opts["program"] or ["dibao", "tekun"]:
                adj, created = services.standard_raise(
                    actor=None,
                    region_code=opts["region"],
                    program=program,
                    from_month=month,
                    reason=opts["reason"],
                    document_number=opts["document"],
                )
                state = "created" if created else "exists, nothing changed"
                self.stdout.write(
                    f"{adj.number} {program} from {month:%Y-%m}: {state}; households={adj.household_count} "
                    f"monthly_increase={adj.monthly_increase} backpay={adj.backpay_total}"
                )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {m}" for k, v in exc.message_dict.items() for m in v)
            ) from exc

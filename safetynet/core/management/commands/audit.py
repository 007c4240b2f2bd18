"""`safetynet audit verify` — check the hash chains of the change log and the access log."""

from django.core.management.base import BaseCommand, CommandError

from safetynet.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Audit tools. `audit verify` walks the change and access logs and names the first broken row."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--log", choices=["change", "access", "all"], default="all")

    def handle(self, *args, **options):
        logs = ["change", "access"] if options["log"] == "all" else [options["log"]]
        broken = False
        for log in logs:
            report = audit_chain_verify(log)
            if report.ok:
                self.stdout.write(f"{log} log: {report.rows} rows, chain intact / 哈希链完整")
            else:
                broken = True
                where = f"row id {report.broken_at}" if report.broken_at else "end of log"
                self.stdout.write(f"{log} log: BROKEN at {where} / 哈希链断裂于 {where}: {report.problem}")
        if broken:
            raise CommandError("audit chain verification failed / 审计链校验失败")

"""``safetynet verification run|resume|purge|authorise-demo``."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safetynet.accounts.models import User
from safetynet.verification import services


class Command(BaseCommand):
    help = "家庭经济状况核对：发起/继续批次、清除到期原始结果"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("run")
        r.add_argument("--region", required=True)
        r.add_argument("--user", default="demo_verifier")
        r.add_argument("--departments", default="")
        r.add_argument("--transport", default="file", choices=["file", "http"])
        r.add_argument("--server-url", default="")
        r.add_argument("--datasets-dir", default=None)
        sub.add_parser("resume").add_argument("--datasets-dir", default=None)
        p = sub.add_parser("purge")
        p.add_argument("--older-than-days", type=int, default=30)
        a = sub.add_parser("authorise-demo")
        a.add_argument("--region", required=True)
        a.add_argument("--user", default="demo_verifier")

    def handle(self, *args, **o):
        action = o["action"]
        if action == "run":
            user = User.objects.filter(username=o["user"]).first()
            if user is None:
                raise CommandError(f"no user {o['user']}")
            run = services.run_start(
                actor=user,
                region_code=o["region"],
                departments=[d for d in o["departments"].split(",") if d] or None,
                transport=o["transport"],
                server_url=o["server_url"],
            )
            run = services.run_execute(
                run=run, datasets_dir=Path(o["datasets_dir"]) if o["datasets_dir"] else None
            )
            self.stdout.write(f"run {run.pk}: {run.status} {run.counts}")
        elif action == "resume":
            for run in services.run_resume_all(
                datasets_dir=Path(o["datasets_dir"]) if o["datasets_dir"] else None
            ):
                self.stdout.write(f"run {run.pk}: {run.status} {run.counts}")
        elif action == "purge":
            self.stdout.write(f"purged runs: {services.purge(older_than_days=o['older_than_days'])}")
        else:
            user = User.objects.get(username=o["user"])
            n = services.demo_authorisations_grant(actor=user, region_code=o["region"], today=dt.date.today())
            self.stdout.write(f"{n} demo authorisations recorded")

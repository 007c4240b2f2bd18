"""`safetynet calendar seed | enter | due` — the working-day calendar (法定节假日与调休)."""

import csv
import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safetynet.core.selectors import deadline_after
from safetynet.core.services import calendar_seed_from_library, calendar_year_enter
from safetynet.regions.services import decode_csv_bytes


class Command(BaseCommand):
    help = (
        "seed: load the years the chinesecalendar package knows; "
        "enter --year Y --file F.csv: enter a year's official schedule (columns date,kind,name; kind holiday|workday); "
        "due --from DATE --days N: the date N working days later."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["seed", "enter", "due"])
        parser.add_argument("--year", type=int)
        parser.add_argument("--file")
        parser.add_argument("--from", dest="start")
        parser.add_argument("--days", type=int)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "seed":
            years = calendar_seed_from_library()
            self.stdout.write(f"seeded {len(years)} year(s): {', '.join(map(str, years)) or '-'}")
        elif action == "enter":
            if not options["year"] or not options["file"]:
                raise CommandError("enter needs --year and --file")
            holidays, workdays = {}, {}
            text = decode_csv_bytes(Path(options["file"]).read_bytes())
            for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
                try:
                    day = dt.date.fromisoformat((row.get("date") or "").strip())
                except ValueError:
                    raise CommandError(
                        f"第{number}行 字段 date: 日期格式应为 YYYY-MM-DD / row {number}: bad date"
                    ) from None
                kind = (row.get("kind") or "").strip()
                if kind not in {"holiday", "workday"}:
                    raise CommandError(
                        f"第{number}行 字段 kind: 只能是 holiday 或 workday / row {number}: bad kind"
                    )
                (holidays if kind == "holiday" else workdays)[day] = (row.get("name") or "").strip()
            try:
                calendar_year_enter(
                    actor=None,
                    year=options["year"],
                    holidays=holidays,
                    workdays=workdays,
                    source=f"file {Path(options['file']).name}",
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            self.stdout.write(
                f"{options['year']}: {len(holidays)} holidays, {len(workdays)} adjusted working days"
            )
            from safetynet.applications.jobs import deadlines_recompute_task

            # due dates that fell in this year were provisional: recompute them in the background
            deadlines_recompute_task.enqueue()
        else:
            start = dt.date.fromisoformat(options["start"])
            deadline = deadline_after(start, options["days"])
            flag = " (provisional / 暂定：该年度节假日安排未录入)" if deadline.provisional else ""
            self.stdout.write(f"{deadline.due.isoformat()}{flag}")

"""``safetynet seed-demo --households N --seed S [--reset] [--departments-dir DIR]``: the
synthetic demo county, its registry, demo users and the departments' datasets (docs/synth.md)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from safetynet.accounts.roles import Role
from safetynet.synth.services import demo_seed


def _width(text: str) -> int:
    """Display width: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--as-of must be a date like 2026-11-30, got {value!r} / 日期格式应为 YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = "Seed the synthetic demo county (示范县): households, persons, declarations, demo users, department datasets."

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=5_000, help="number of households (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed → same people)")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="seed date (default today); ages and the 12-month declaration period count back from it",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the previously seeded demo data first"
        )
        parser.add_argument(
            "--departments-dir",
            type=Path,
            default=None,
            help="where to write the department Parquet files (default var/departments)",
        )
        parser.add_argument("--workers", type=int, default=None, help="worker processes (default: up to 2)")

    def handle(
        self, *args, households: int, seed: int, as_of, reset: bool, departments_dir, workers, **options
    ):
        if households < 1:
            raise CommandError("--households must be at least 1 / 户数至少为 1")
        try:
            result = demo_seed(
                households=households,
                seed=seed,
                as_of=as_of,
                reset=reset,
                departments_dir=departments_dir,
                workers=workers,
                log=self.stdout.write,
            )
        except ProtectedError as exc:
            raise CommandError(str(exc.args[0])) from None
        self.stdout.write(result.message)
        if not result.created:
            self._existing_sign_ins()
            return
        self.stdout.write(
            f"job #{result.job_id}; department files in {result.departments_dir} "
            f"(planted discrepancies: {result.planted_path})"
        )
        for label, count in result.counts.items():
            if isinstance(count, int):
                self.stdout.write(f"  {label:<28} {count:>10,}")
        self.stdout.write(f"  planted: {result.counts['planted']}")
        self.stdout.write(
            f"time: {result.timings['total']:.1f} s "
            + " ".join(f"{k}={v:.1f}s" for k, v in result.timings.items() if k != "total")
        )
        self.stdout.write("")
        rows = [("username", "role", "scope", "password", "TOTP secret")]
        for user in result.users:
            scope = f"{user.scope_code} {user.scope_name}".strip()
            rows.append(
                (user.username, str(Role(user.role).label), scope, user.password, user.totp_secret or "-")
            )
        self._table(rows)

    def _table(self, rows) -> None:
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(
            "Staff sign in with a TOTP code: `safetynet totp code --user NAME` prints the current one."
        )

    def _existing_sign_ins(self) -> None:
        """The demo sign-ins of an already seeded database (make demo prints them every time)."""
        from safetynet.accounts.models import User
        from safetynet.synth.services import DEMO_PASSWORD

        rows = [("username", "role", "scope", "password", "TOTP secret")]
        for user in User.objects.filter(username__startswith="demo_").select_related("region").order_by("id"):
            scope = f"{user.region_id or ''} {user.region.name if user.region else user.department or user.organisation}".strip()
            rows.append((user.username, str(Role(user.role).label), scope, DEMO_PASSWORD, user.totp_secret or "-"))
        if len(rows) > 1:
            self.stdout.write("")
            self._table(rows)

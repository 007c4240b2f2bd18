"""``safetynet totp code --user NAME``: print a user's current TOTP code.

A demonstration and administration aid (the demo, the browser test, a locked-out trainer):
anyone who can run this command on the server can already read the database, so it reveals
nothing new; each use is still written to the access log.
"""

from __future__ import annotations

import pyotp
from django.core.management.base import BaseCommand, CommandError

from safetynet.accounts.models import User
from safetynet.core.services import access_log_write


class Command(BaseCommand):
    help = (
        "TOTP helper for demos and administration: `totp code --user NAME` prints the current 6-digit code."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="print the user's current TOTP code")
        code.add_argument("--user", required=True, help="username")
        uri = sub.add_parser(
            "uri", help="print the user's otpauth:// URI (to add the account to an authenticator app)"
        )
        uri.add_argument("--user", required=True, help="username")

    def handle(self, *args, action: str, user: str, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user named {user!r}")
        if not account.totp_secret:
            raise CommandError(f"user {user!r} has no TOTP secret yet (they enrol at their first sign-in)")
        totp = pyotp.TOTP(account.totp_secret)
        access_log_write(actor=None, obj=account, field="totp_secret", purpose=f"safetynet totp {action}")
        if action == "code":
            self.stdout.write(totp.now())
        else:
            self.stdout.write(totp.provisioning_uri(name=account.username, issuer_name="SafetyNet"))

"""`safetynet keys generate` — print fresh values for the key variables."""

from django.core.management.base import BaseCommand

from safetynet.core.crypto import generate_key


class Command(BaseCommand):
    help = "Print new SAFETYNET_FIELD_KEY / SAFETYNET_INDEX_KEY values (base64, 32 bytes)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate"])

    def handle(self, *args, **options):
        self.stdout.write(f"SAFETYNET_FIELD_KEY={generate_key()}")
        self.stdout.write(f"SAFETYNET_INDEX_KEY={generate_key()}")

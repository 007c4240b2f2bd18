"""makemessages without fuzzy matching: for short Chinese msgids, gettext's guesses from similar
strings are nearly always wrong (it offered "Approved" for 批准), so new strings stay empty
until a person translates them."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = ["-q", "--backup=none", "--previous", "--update", "--no-fuzzy-matching"]

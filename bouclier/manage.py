"""Entry point shared by ``manage.py`` and the installed ``bouclier-admin`` command."""

import os
import sys


def main() -> None:
    """Run a Django management command with the platform's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouclier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

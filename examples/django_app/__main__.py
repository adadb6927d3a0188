"""``python -m django_app runserver``: Django's management commands with this example's settings."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
execute_from_command_line([sys.argv[0], *sys.argv[1:]])

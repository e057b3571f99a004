"""The ``punkt`` command: ``manage.py`` under a friendlier name.

``punkt worker``, ``punkt scheduler``, ``punkt branch_add`` … are Django management
commands; ``punkt help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["punkt", *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""The `firegrid` console command: a thin wrapper over Django's management commands.

`firegrid demo`, `firegrid migrate`, `firegrid runserver` … are `manage.py` with the settings set.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["firegrid", *argv])
    args[0] = "firegrid"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

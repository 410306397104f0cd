"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

from questionnaire import create_app
from questionnaire.core.config import ConfigError

# gunicorn's "app load error" status: its master stops, instead of starting workers that
# fail the same way for ever. Any non-zero status stops a command or a systemd step.
BAD_SETTINGS = 4

try:
    app = create_app()
except ConfigError as exc:
    # A setting the operator must fix: one line saying which and how, not a traceback
    # (the journal of the service, a timer or a command shows it as it is).
    print(f"Configuration error: {exc}", file=sys.stderr)
    sys.exit(BAD_SETTINGS)

"""``python -m docspace_sandbox``: same as the ``docspace-sandbox`` command."""

from .cli import main

raise SystemExit(main())

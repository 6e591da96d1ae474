"""``python -m azenvcloud``: the command line."""

from .cli import main

raise SystemExit(main())

"""Module locks renewed in a forked child: one another thread held at fork time would stay held there."""

from __future__ import annotations

import os
import threading
from typing import Any

__all__ = ["renew_locks_after_fork"]


def renew_locks_after_fork(namespace: dict[str, Any], *names: str) -> None:
    """Give the module whose globals are ``namespace`` a new ``threading.Lock`` under each of
    ``names`` in every forked child (where ``os.register_at_fork`` exists)."""

    def renew() -> None:
        for name in names:
            namespace[name] = threading.Lock()

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=renew)

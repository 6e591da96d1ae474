"""A parent and its workers started with ``spawn`` or ``forkserver`` (tests/test_workers.py):
``python _workers_app.py METHOD N`` lists the resource groups in the parent, then once in each of
N workers, and prints what each saw as JSON."""

from __future__ import annotations

import json
import multiprocessing
import sys


def list_groups(_: int) -> list[str]:
    from azenvcloud import get_resource_client

    return [group.name for group in get_resource_client().resource_groups.list()]


if __name__ == "__main__":
    method, workers = sys.argv[1], int(sys.argv[2])
    seen = [list_groups(0)]
    with multiprocessing.get_context(method).Pool(workers) as pool:
        seen += pool.map(list_groups, range(workers), chunksize=1)  # one task per worker
    print(json.dumps(seen))

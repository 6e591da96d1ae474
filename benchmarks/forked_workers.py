"""A prefork server's start: the parent lists resource groups, then forks 8 workers that each list
them with clients of their own (the token store off: the parent's token is kept across fork())."""

import os
import sys

import azenvcloud

WORKERS = 8

names = [group.name for group in azenvcloud.get_resource_client().resource_groups.list()]
assert names, "the fake cloud listed no resource groups"
children = []
for _ in range(WORKERS):
    child = os.fork()
    if child == 0:
        code = 1
        try:
            code = (
                0 if [g.name for g in azenvcloud.get_resource_client().resource_groups.list()] == names else 1
            )
        finally:
            os._exit(code)
    children.append(child)
failed = sum(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) != 0 for child in children)
sys.exit(1 if failed else 0)

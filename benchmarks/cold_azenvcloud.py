"""One cold start with azenvcloud: import, resolve, build, first ARM response. Prints phase times.

With ``--no-prefetch`` the token is not prefetched (``AZENVCLOUD_TOKEN_PREFETCH=false``); with
``--no-openid-cache`` the authority's OpenID configuration is fetched as on a first start
(``AZENVCLOUD_METADATA_TTL=0``): the differences are what each saves.
"""

import json
import os
import resource
import sys
import time

if "--no-prefetch" in sys.argv:
    os.environ["AZENVCLOUD_TOKEN_PREFETCH"] = "false"  # noqa: S105 - a switch, not a password
if "--no-openid-cache" in sys.argv:
    os.environ["AZENVCLOUD_METADATA_TTL"] = "0"
started = time.perf_counter()
# The names, not only the package: azenvcloud's public names load on first use.
from azenvcloud import get_resource_client, get_settings  # noqa: E402 - the import is what is measured

imported = time.perf_counter()
get_settings()
resolved = time.perf_counter()
client = get_resource_client()
built = time.perf_counter()
names = [group.name for group in client.resource_groups.list()]
answered = time.perf_counter()
assert names, "the fake cloud listed no resource groups"
print(
    json.dumps(
        {
            "import azenvcloud": imported - started,
            "resolve settings": resolved - imported,
            "build credential + client, start the token request (imports azure-identity, azure-mgmt)": (
                built - resolved
            ),
            "token + first ARM response": answered - built,
        }
    )
)
# Peak memory of the whole process, in MiB (Linux reports kilobytes).
print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))

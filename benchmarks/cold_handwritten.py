"""The same cold start written by hand with the SDK, as a careful user would: the baseline.

With ``--with-pydantic-settings`` it also imports pydantic-settings, as an application that
reads its own configuration with it does: what remains of the gap is azenvcloud's own work.
"""

import json
import os
import resource
import sys
import time

started = time.perf_counter()
if "--with-pydantic-settings" in sys.argv:
    import pydantic_settings  # noqa: F401
from azure.identity import DefaultAzureCredential  # noqa: E402
from azure.mgmt.resource.resources import ResourceManagementClient  # noqa: E402

imported = time.perf_counter()
credential = DefaultAzureCredential(
    authority=os.environ["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True
)
client = ResourceManagementClient(
    credential,
    os.environ["AZURE_SUBSCRIPTION_ID"],
    base_url=os.environ["AZURE_RESOURCE_MANAGER"],
    credential_scopes=[os.environ["AZURE_AUDIENCE"] + ".default"],
)
built = time.perf_counter()
names = [group.name for group in client.resource_groups.list()]
answered = time.perf_counter()
assert names, "the fake cloud listed no resource groups"
print(
    json.dumps(
        {
            "import azure-identity, azure-mgmt": imported - started,
            "build credential + client": built - imported,
            "token + first ARM response": answered - built,
        }
    )
)
# Peak memory of the whole process, in MiB (Linux reports kilobytes).
print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))

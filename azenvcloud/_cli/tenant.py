"""``azenvcloud tenant TENANT_ID``: which cloud a tenant belongs to, from its public OpenID
configuration.

Entra ID publishes each tenant's OpenID configuration without sign-in
(``{authority}/{tenant}/v2.0/.well-known/openid-configuration``); it names the tenant's cloud
instance (``cloud_instance_name``, such as ``microsoftonline.us``) and region scope
(``tenant_region_scope``), and a cloud that does not know the tenant answers AADSTS90002. The
public authority is asked first, the other clouds' only while the tenant is not found, in a
fixed order; ``--cloud`` restricts the list. This command is run on purpose: it sends the tenant
ID (and nothing else: no credential, no token) to each authority it asks, and nothing in
azenvcloud asks it by itself.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any, TextIO

from .. import _builtin_clouds as data
from .._clouds import (
    BUILTIN_CLOUDS,
    canonical_cloud_name,
    cloud_name_for_authority_host,
    without_resource_manager,
)
from .._errors import ConfigurationError, quote_value
from ._output import EXIT_CONFIGURATION, EXIT_OK, EXIT_UNREACHABLE, write_rows

__all__ = ["ORDER", "add_parser", "authority_of", "run"]

ORDER = (data.PUBLIC, data.US_GOVERNMENT, data.CHINA, data.BLEU, data.DELOS, data.GOVSG)
"""The clouds asked, in order: the public authority first."""

_SECONDS_PER_AUTHORITY = 10.0
# A tenant ID (a GUID) or one of its domain names: azure-identity's characters for a tenant.
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
_NOT_FOUND_STATUSES = frozenset({400, 404})


def add_parser(commands: Any, **options: Any) -> None:
    hosts = ", ".join(authority_of(cloud).removeprefix("https://") for cloud in ORDER)
    parser = commands.add_parser(
        "tenant",
        **options,
        help="tell which cloud a tenant ID belongs to (sends the tenant ID to Microsoft's authorities)",
        description="Tell which cloud a tenant belongs to, from its public OpenID configuration "
        "(cloud_instance_name, tenant_region_scope). This sends the tenant ID, and nothing else (no "
        "credential, no token), to each authority asked: the public one first, then the others in "
        f"this order only while the tenant is not found ({hosts}); --cloud restricts the list. Exit "
        "status: 0 found, 2 found nowhere (or a malformed tenant ID), 3 an authority could not be "
        "reached and none found it.",
    )
    parser.add_argument(
        "tenant_id", metavar="TENANT_ID", help="the tenant ID (a GUID) or a domain name of it"
    )
    parser.add_argument(
        "--cloud",
        metavar="NAME",
        action="append",
        help="ask only this cloud's authority (public, usgov, china, bleu, delos, govsg; repeat for more)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def authority_of(cloud: str) -> str:
    """The authority a built-in cloud (or GovSG, known by its authority only) signs in at."""
    if cloud in BUILTIN_CLOUDS:
        return BUILTIN_CLOUDS[cloud].authority_host
    host = next(host for host, name in data.AUTHORITY_HOSTS.items() if name == cloud)
    return f"https://{host}"


def _clouds(names: list[str] | None) -> list[str]:
    if not names:
        return list(ORDER)
    chosen = set()
    for name in names:
        try:
            canonical = canonical_cloud_name(name)
        except ValueError as exc:  # InvalidValue: the problem and what is accepted
            raise ConfigurationError(
                f"--cloud {quote_value(name)} is not usable: {exc}. Accepted: one of public, usgov, "
                "china, bleu, delos, govsg (any name `azenvcloud clouds` lists).",
                variables=("--cloud",),
            ) from None
        if canonical not in ORDER:
            raise ConfigurationError(
                f"--cloud {quote_value(name)} names {canonical}, which has no public authority to ask. "
                "Accepted: one of public, usgov, china, bleu, delos, govsg.",
                variables=("--cloud",),
            )
        chosen.add(canonical)
    return [cloud for cloud in ORDER if cloud in chosen]


def _ask(authority: str, tenant: str) -> dict[str, Any]:
    """One authority's answer: ``found`` (with the document), ``not found`` or ``unreachable``."""
    from .._metadata_source import Deadline, MetadataUnavailable, fetch

    url = f"{authority}/{tenant}/v2.0/.well-known/openid-configuration"
    asked: dict[str, Any] = {"authority_host": authority}
    try:
        body, _ = fetch(url, Deadline(_SECONDS_PER_AUTHORITY))
    except MetadataUnavailable as exc:
        not_found = exc.status in _NOT_FOUND_STATUSES
        return {**asked, "answer": "not found" if not_found else "unreachable", "detail": str(exc)}
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return {**asked, "answer": "unreachable", "detail": "its answer is not an OpenID configuration"}
    return {**asked, "answer": "found", "detail": "", "document": document}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    tenant = arguments.tenant_id.strip()
    if not _TENANT.fullmatch(tenant):
        raise ConfigurationError(
            f"TENANT_ID {quote_value(tenant)} is not usable: it is neither a tenant ID nor a domain name. "
            "Accepted: a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain such as "
            "contoso.onmicrosoft.com.",
            variables=("TENANT_ID",),
        )
    asked: list[dict[str, Any]] = []
    found: dict[str, Any] | None = None
    for cloud in _clouds(arguments.cloud):
        answer = _ask(authority_of(cloud), tenant)
        answer["cloud"] = cloud
        asked.append(answer)
        if answer["answer"] == "found":
            found = answer
            break
    result = _result(tenant, found, asked)
    if arguments.json:
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        _write_text(result, out)
    if found is not None:
        return EXIT_OK
    return EXIT_UNREACHABLE if any(item["answer"] == "unreachable" for item in asked) else EXIT_CONFIGURATION


def _result(tenant: str, found: dict[str, Any] | None, asked: list[dict[str, Any]]) -> dict[str, Any]:
    document = found.get("document", {}) if found else {}
    instance = _text(document.get("cloud_instance_name"))
    # The cloud the document names (login.<cloud_instance_name> is a known authority host), else
    # the cloud whose authority answered.
    cloud = (cloud_name_for_authority_host(f"login.{instance}") if instance else None) or (
        found["cloud"] if found else None
    )
    return {
        "tenant": tenant,
        "cloud_name": cloud,
        "authority_host": found["authority_host"] if found else None,
        "cloud_instance_name": instance,
        "tenant_region_scope": _text(document.get("tenant_region_scope")),
        "asked": [
            {"authority_host": item["authority_host"], "answer": item["answer"], "detail": item["detail"]}
            for item in asked
        ],
    }


def _write_text(result: dict[str, Any], out: TextIO) -> None:
    if result["cloud_name"] is None:
        out.write(f"tenant {result['tenant']}: found at none of the authorities asked\n")
    else:
        out.write(f"tenant {result['tenant']}: {result['cloud_name']}\n")
    write_rows(
        out,
        [
            (item["authority_host"], item["answer"] + (f" ({item['detail']})" if item["detail"] else ""))
            for item in result["asked"]
        ],
    )
    if result["cloud_name"] is not None:
        write_rows(
            out,
            [
                ("cloud_instance_name", result["cloud_instance_name"] or "(not given)"),
                ("tenant_region_scope", result["tenant_region_scope"] or "(not given)"),
            ],
        )
        unbuilt = without_resource_manager(result["cloud_name"])
        more = f" and describe it: {unbuilt}" if unbuilt else ""
        out.write(f"select it with AZURE_CLOUD={result['cloud_name']}{more}\n")

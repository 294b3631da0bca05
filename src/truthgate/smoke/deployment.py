"""Which deployment a smoke run talked to: what its health endpoint says it is.

The definition of done counts green *deploys* (``release.definition_of_done.distinct:
deployment``), so a smoke cycle must say which deployment it saw. The contract names
where the service reports it (``deployment_field``, a JMESPath expression over the JSON
body of ``deployment_path``, by default the first health scenario's path); ``smoke
--deployment-id`` names it outright and wins.

The field is read twice, before the first scenario and after the last one: a deploy that
rolled out in the middle of the run smoked two deployments, and is counted as neither.
A deployment that cannot be read leaves the cycle without one (a note says why): the run
is as green or red as its scenarios, but it is no evidence of a distinct deploy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from truthgate.contract.model import DefinitionOfDone
from truthgate.smoke import jpath
from truthgate.smoke.client import TransportFailure, send
from truthgate.smoke.execute import StepEnv, prepare
from truthgate.smoke.model import Request, Scenario
from truthgate.smoke.readiness import probe_path

MAX_ID_CHARS = 120


def clean_id(value: str) -> str:
    """A deployment id as recorded: one line, trimmed, at most MAX_ID_CHARS characters."""
    text = " ".join(value.split())
    return text[:MAX_ID_CHARS]


def probe_for(dod: DefinitionOfDone, scenarios: Iterable[Scenario],
              deployment_id: str | None) -> tuple[str, str] | None:
    """(path, field) to read the deployment from; None when named outright or not asked."""
    if deployment_id is not None or not dod.deployment_field:
        return None
    return (dod.deployment_path or probe_path(scenarios)), dod.deployment_field


async def read_deployment(env: StepEnv, probe: tuple[str, str] | None
                          ) -> tuple[str, str] | None:
    """(deployment id, '') or ('', why it could not be read); None without a probe."""
    if probe is None:
        return None
    path, field = probe
    where = f"{path} field {field!r}"
    try:
        prep = prepare(env, Request(path=path), {})
        resp = await send(env.client, prep, max_body=env.max_body, max_redirects=5)
    except TransportFailure as exc:
        return "", f"cannot read the deployment ({where}): {exc.message}"
    except Exception as exc:  # noqa: BLE001 - a template problem; the scenarios report it too
        return "", f"cannot read the deployment ({where}): {exc}"
    if resp.status >= 400:
        return "", f"cannot read the deployment ({where}): status {resp.status}"
    try:
        data = json.loads(resp.body)
    except ValueError:
        return "", f"cannot read the deployment ({where}): the body is not JSON"
    value = jpath.search(field, data)
    if value is jpath.MISS or value is None or isinstance(value, (dict, list, bool)):
        return "", f"cannot read the deployment: {path} has no scalar field {field!r}"
    ident = clean_id(str(value))
    if not ident:
        return "", f"cannot read the deployment: {path} field {field!r} is empty"
    return ident, ""


def settle(deployment_id: str | None, before: tuple[str, str] | None,
           after: tuple[str, str] | None) -> tuple[str, str]:
    """(deployment, note) of the run: the one named, or the reads before and after the
    scenarios when they agree."""
    if before is None or after is None:
        return clean_id(deployment_id or ""), ""
    (first, why_first), (last, why_last) = before, after
    if not first or not last:
        return "", why_first or why_last
    if first != last:
        return "", (f"the deployment changed during the run ({first} -> {last}): this run "
                    "counts toward no deploy")
    return first, ""

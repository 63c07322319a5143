"""`pickconform check`: a run's preflight alone, in seconds, before a long run finds out one skip at a time.

It resolves the profile into the families' targets exactly as a run does (`pickconform.targets.connect`: every base
URL answers, every credential slot gets its token), then reports what a run could not judge: capabilities the
scenarios need that the target lacks, a Butler notification receiver the target cannot reach (one test pick request,
whose notification must arrive), and the ready data a full run needs against what the profile's `test_data` gives.

The data a run needs is counted from the scenarios themselves (`features/`): every Given step that takes a ready item
when the target cannot set the data up (`NEEDS`), one item per example row of an outline. Each finding is one line:
`ok`, `skip` (a full run would skip it, and why) or `problem` (a run would stop or fail on it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pickconform.determinism import RunContext, fresh_run_id
from pickconform.paths import FAMILIES, FEATURES
from pickconform.targets import Target
from pickconform.verdict import SetupError, Violation

__all__ = ["Finding", "Scenario", "check_run", "check_target", "exit_status", "scenarios"]

OK, SKIP, PROBLEM = "ok", "skip", "problem"


@dataclass(frozen=True)
class Finding:
    level: str  # OK, SKIP or PROBLEM
    text: str

    def __str__(self) -> str:
        return f"{self.level:<7} {self.text}"


def exit_status(findings: Iterable[Finding]) -> int:
    """0: a full run can judge everything; 3: some of it would be skipped; 2: a problem the run would stop on."""
    levels = {finding.level for finding in findings}
    return 2 if PROBLEM in levels else 3 if SKIP in levels else 0


@dataclass(frozen=True)
class Scenario:
    """One test a Gherkin scenario gives (an outline gives one per example row)."""

    family: str
    name: str
    tags: frozenset[str]
    steps: tuple[str, ...]

    @property
    def capabilities(self) -> set[str]:
        return {tag.removeprefix("capability:") for tag in self.tags if tag.startswith("capability:")}


def scenarios(families: Iterable[str] = FAMILIES, root: Path = FEATURES) -> list[Scenario]:
    """Every scenario test of the families' features, its steps rendered with its example row."""
    from pytest_bdd.parser import FeatureParser

    found = []
    for family in families:
        for path in sorted((root / family).glob("*.feature")):
            feature = FeatureParser(str(root), str(path.relative_to(root))).parse()
            for template in feature.scenarios.values():
                contexts = [c for examples in template.examples for c in examples.as_contexts()] or [{}]
                for context in contexts:
                    rendered = template.render(context)
                    name = rendered.name + (f" [{', '.join(map(str, context.values()))}]" if context else "")
                    steps = tuple(step.name for step in rendered.steps)
                    found.append(Scenario(family, name, frozenset(template.tags | feature.tags), steps))
    return found


# What a Given step takes when the target cannot set the data up: (pool, units the item must have), per family.
# The pools and quantities are those of the step definitions (tests/conformance/<family>/conftest.py).
Need = tuple[str, int]
NEEDS: dict[str, list[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Need]]]]] = {
    "clarus": [(re.compile(r"^a product with (\d+) units in stock$"), lambda m: [("products", int(m[1]))])],
    "emporix": [
        (re.compile(r'^pick-pack orders "([^"]+)" of the tenant$'), lambda m: [("orders", 0)] * len(m[1].split()))
    ],
    "butler": [
        (re.compile(r"^a SKU with (\d+) units of inventory$"), lambda m: [("in_stock", int(m[1]))]),
        # driven past `created` from a SKU with at least 2 units (a_pick_request_in_state)
        (re.compile(r"^a pick request in state (?!created$)\w+$"), lambda m: [("in_stock", 2)]),
    ],
}
# The Emporix access scenarios share one MANUAL job of a ready order per process.
SHARED_JOB = re.compile(r"^a recalculation job of the tenant$")
# Steps that need a capability a scenario's tags do not name (the control steps say it when they run).
STEP_CAPABILITIES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "butler": [
        (re.compile(r"^a pick request in state created$"), "hold"),
        (re.compile(r"^a pick request in state (cancellation_locked|pick_started|complete)$"), "rack"),
        (re.compile(r"^a pick request in state (pick_started|complete)$"), "pick"),
        (re.compile(r"^a pick request in state complete$"), "finish"),
    ],
}
OTHER_TENANT = re.compile(r"\bother tenant\b")


def _ready_items(family: str, settings: Any, capabilities: frozenset[str]) -> dict[str, list[int]] | None:
    """The ready items of each pool (their units; 0 where units do not matter), or None when the target sets the
    family's data up itself."""
    data = settings.test_data
    if family == "clarus":
        if data.stock_in == "receive" and "receive_creates_stock" in capabilities:
            return None
        return {"products": [p.stock for p in data.products]}
    if family == "emporix":
        return None if "seed_orders" in capabilities else {"orders": [0] * len(data.orders)}
    if family == "butler":
        return None if "inventory" in capabilities else {"in_stock": [s.quantity for s in data.in_stock]}
    return None


def _short(needs: list[tuple[Scenario, int, int]], items: list[int]) -> list[tuple[Scenario, int, int]]:
    """The (scenario, units, count) needs no items are left for. Items whose units matter (a product's stock, a SKU's
    quantity) go to the largest need first, each the smallest item that has enough; items whose units do not (orders)
    go to the scenarios in their order, all of a scenario's count or none of it, as the run claims them."""
    left = sorted(items)
    short = []
    for scenario, units, count in sorted(needs, key=lambda n: -n[1]):
        if units:
            fitting = next((i for i, have in enumerate(left) if have >= units), None)
            if fitting is None:
                short.append((scenario, units, count))
            else:
                left.pop(fitting)
        elif len(left) >= count:
            del left[:count]
        else:
            short.append((scenario, units, count))
    return short


_ITEM = {"products": "ready product", "orders": "ready order", "in_stock": "SKU in_stock"}


def _data_findings(
    family: str, runnable: list[Scenario], settings: Any, capabilities: frozenset[str], workers: int
) -> Iterator[Finding]:
    items = _ready_items(family, settings, capabilities)
    if items is None:
        yield Finding(OK, f"{family} test data: set up by the suite through the target (capabilities)")
        return
    needs: dict[str, list[tuple[Scenario, int, int]]] = {pool: [] for pool in items}
    for scenario in runnable:
        for step in scenario.steps:
            for pattern, need in NEEDS.get(family, []):
                if match := pattern.match(step):
                    taken = need(match)
                    for pool in dict.fromkeys(p for p, _ in taken):
                        units = max(u for p, u in taken if p == pool)
                        needs[pool].append((scenario, units, sum(p == pool for p, _ in taken)))
    shared = [s for s in runnable if any(SHARED_JOB.match(step) for step in s.steps)]
    if family == "emporix" and shared:
        needs["orders"] += [(shared[0], 0, 1)] * workers  # the access scenarios' one job per process
    for pool, wanted in needs.items():
        have = items[pool]
        short = _short(wanted, have)
        line = f"{family} test data: a full run needs {sum(count for _, _, count in wanted)} ready {pool}"
        sizes = sorted({units for _, units, _ in wanted if units})
        if sizes:
            line += f" (with {sizes[0]}-{sizes[-1]} units)" if len(sizes) > 1 else f" (with {sizes[0]} units)"
        if family == "emporix" and workers > 1:
            line += f" on {workers} workers"
        line += f"; [{family}.test_data] gives {len(have)}"
        if not short:
            yield Finding(OK, line)
            continue
        skipped = list(dict.fromkeys(scenario.name for scenario, _, _ in short))
        yield Finding(SKIP, f"{line}: {len(skipped)} scenario(s) would be skipped")
        for scenario, units, count in short:
            what = f"{count} {_ITEM[pool]}s" if count > 1 else f"a {_ITEM[pool]}"
            yield Finding(
                SKIP, f'{family} "{scenario.name}": needs {what}{f" with {units} units" if units else ""}, none left'
            )


def check_target(target: Target, families: Iterable[str], workers: int = 1) -> list[Finding]:
    """Every finding about a connected target: credentials, capabilities, the notification receiver, test data and
    the scenarios a full run would skip."""
    findings: list[Finding] = []
    every = scenarios(families)
    for family in families:
        family_scenarios = [s for s in every if s.family == family]
        if family not in target.families:
            where = f"the profile {target.profile.path} has no [{family}] section" if target.profile else "not served"
            findings.append(Finding(SKIP, f"{family}: {where}: its {len(family_scenarios)} scenarios would be skipped"))
            continue
        family_target = target.families[family]
        slots = list(dict.fromkeys(slot for slot, _ in family_target.credential_slots()))
        urls = ", ".join(f"{role} {url}" for role, url in family_target.role_urls().items())
        findings.append(Finding(OK, f"{family}: {urls} answer; credentials accepted: {', '.join(slots) or 'none'}"))
        capabilities = family_target.capabilities
        findings.append(Finding(OK, f"{family} capabilities: {', '.join(sorted(capabilities)) or 'none'}"))
        if family == "butler":
            findings.append(_notification_reaches_us(family_target, target.run))
        if family == "emporix" and "seed_orders" in capabilities:
            findings.append(_orders_can_be_seeded(family_target, target.run))
        runnable = []
        for scenario in family_scenarios:
            needed = scenario.capabilities | {
                capability
                for pattern, capability in STEP_CAPABILITIES.get(family, [])
                for step in scenario.steps
                if pattern.match(step)
            }
            missing = sorted(needed - capabilities)
            if missing:
                findings.append(Finding(SKIP, f'{family} "{scenario.name}": the target lacks capability {missing[0]}'))
            elif any(OTHER_TENANT.search(step) for step in scenario.steps) and (
                getattr(family_target, "other_tenant", None) is None
            ):
                findings.append(
                    Finding(SKIP, f'{family} "{scenario.name}": the profile names no [{family}.other_tenant]')
                )
            else:
                runnable.append(scenario)
        settings = target.profile.families[family] if target.profile is not None else None
        if settings is not None:
            findings += _data_findings(family, runnable, settings, capabilities, workers)
        else:
            findings.append(Finding(OK, f"{family} test data: set up by the suite through the target (capabilities)"))
    return findings


def _notification_reaches_us(butler_target: Any, run: RunContext) -> Finding:
    """One pick request for a SKU without inventory: its order_information (not_fulfillable) must reach the
    suite's receiver, as every Butler scenario's notifications must."""
    from pickconform.butler.api import ButlerApi, pick_request

    if "callback" not in butler_target.capabilities:
        return Finding(
            OK,
            "butler notification receiver: not checked (without capability callback, the target's webhook is "
            "configured by hand: callback_public_url and callback_token_env)",
        )
    values = run.values("pickconform check")
    api = ButlerApi(butler_target, values)
    absent = butler_target.test_data.absent
    sku = absent[0] if absent and "inventory" not in butler_target.capabilities else values.reference("SKU")
    external_id = values.reference("CHECK")
    started = time.monotonic()
    try:
        response = api.create(pick_request(external_id, [(f"{external_id}_1", sku, 1)]))
        if response.status_code != 200:
            return Finding(
                PROBLEM, f"butler: a test pick request was refused ({response.status_code}): {response.text[:120]}"
            )
        api.next(external_id, "order_information", "BUTLER-LIFECYCLE")
    except Violation as violation:
        timeout = butler_target.notification_timeout
        reason = violation.message.splitlines()[0][:160]
        return Finding(
            PROBLEM,
            f"butler notification receiver at {butler_target.receiver.url}: no notification within {timeout:g} s "
            f"of a test pick request ({reason}); check callback_listen and callback_public_url",
        )
    except SetupError as exc:  # the target already holds the check's pick request
        return Finding(PROBLEM, f"butler: {str(exc).splitlines()[0]}")
    except RuntimeError as exc:  # the target refused the callback URL
        return Finding(PROBLEM, f"butler notification receiver: {exc}")
    return Finding(
        OK,
        f"butler notification receiver reached by the target: a test pick request's notification arrived in "
        f"{time.monotonic() - started:.1f} s",
    )


def _orders_can_be_seeded(emporix_target: Any, run: RunContext) -> Finding:
    """The control protocol's order seeding (capability seed_orders), tried with one order named from the check's
    own run id: every scenario that names orders seeds them this way."""
    from pickconform.emporix.api import EmporixApi

    api = EmporixApi(emporix_target, run.values("pickconform check"))
    try:
        order = api.seed_order("check")
    except SetupError as exc:
        return Finding(PROBLEM, f"emporix control protocol: {str(exc).splitlines()[0]}")
    except pytest.skip.Exception as exc:  # the target does not offer the control endpoint
        return Finding(SKIP, f"emporix control protocol: capability seed_orders declared, but {exc.msg}")
    return Finding(OK, f"emporix control protocol: an order is seeded (order {order}, named from the check's run id)")


def check_run() -> RunContext:
    """The check's own run id, fresh each time (its test pick request is named from it, and a run's is not sent)."""
    return RunContext(run_id=f"c{fresh_run_id(datetime.now(UTC))}")

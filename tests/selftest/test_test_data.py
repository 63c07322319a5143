"""The suite against a sandbox: a served reference configured as a vendor's would be, reached only through a profile,
with its own master data and none of the set-up the suite does on the embedded reference.

- Clarus demands the vendor's product fields with the tenant's own stock unit type (variant
  clarus-tenant-stock-unit-types: 4 and 7, not the suite's default 1), and the profile brings no stock in
  (`stock_in = "none"`): the stock-dependent scenarios use the profile's ready products.
- Emporix has no `seed_orders`: the profile names orders the tenant has (this test seeds them beforehand through the
  reference's control endpoint: the test's own set-up, not the suite's).
- Butler has every control capability but `inventory`: the profile names SKUs in stock (put there beforehand by this
  test) and SKUs known to be absent.

Clarus's scenarios run under pytest-xdist (`-n 2`), so the ledger that hands out each ready item once is shared by
two worker processes; a last, serial run with too little test_data shows the skips and their reasons.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pickconform.family.profile import ProfileError, load_profile
from pickconform.family.ready_data import Ledger
from pickconform.reference.app import Reference
from pickconform.reference.clarus.mutants import TENANT_STOCK_UNIT_TYPES
from pickconform.reference.mutants import Faults
from pickconform.reference.server import ReferenceServer
from tests.selftest.conftest import pickconform

STOCK_UNIT_TYPE = 4  # one of the variant's stock unit types: the suite's default (1) is refused
WAREHOUSE, OTHER_WAREHOUSE = 3, 5
ENV = {
    "SANDBOX_CLARUS_SECRET": "acme-secret",
    "SANDBOX_CLARUS_OTHER_SECRET": "globex-secret",
    "SANDBOX_EMPORIX_SECRET": "acme-pickpack-secret",
    "SANDBOX_EMPORIX_OTHER_SECRET": "globex-pickpack-secret",
    "SANDBOX_BUTLER_TOKEN": "butler-demo-token",
}
# What the suite's scenarios need, and this sandbox has ready (no headroom: a new scenario that needs more shows up
# as a skip saying so).
PRODUCTS = 14  # every Clarus scenario that processes orders against stock (the auth checks included)
ORDERS = 14  # 13 for the recalculation scenarios, one for the job the access scenarios share
SKUS_IN_STOCK = 13  # every Butler scenario that blocks or picks inventory
ABSENT_SKUS = ("SBX-ABSENT-1", "SBX-ABSENT-2")


@dataclass(frozen=True)
class Sandbox:
    url: str
    products: list[tuple[int, int, int]]  # (product id, warehouse, stock)
    orders: list[str]
    skus: list[tuple[str, int]]  # (sku, quantity)


def _clarus_master_data(client: httpx.Client, url: str) -> list[tuple[int, int, int]]:
    """Products of the tenant's stock unit type, with stock received into two warehouses: the sandbox's own data."""
    form = {"grant_type": "client_credentials", "client_id": "acme-client", "client_secret": "acme-secret"}
    token = client.post(f"{url}/clarus/oauth/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": "acme"}
    products = []
    for n in range(PRODUCTS):
        warehouse, stock = (OTHER_WAREHOUSE if n % 4 == 0 else WAREHOUSE), 25
        product = {"description": f"sandbox product {n}", "stock_unit_type_id": STOCK_UNIT_TYPE, "code": f"SBX{n}"}
        created = client.post(
            f"{url}/clarus/api/products", json={"data": {"type": "products", "attributes": product}}, headers=headers
        )
        product_id = int(created.json()["data"]["id"])
        line = {"type": "ADD", "attributes": {"product_id": product_id, "expected_quantity": stock}}
        receipt = {
            "account_id": 7,
            "warehouse_id": warehouse,
            "reference": f"SBX-PO-{n}",
            "expected_date_of_arrival": "2026-01-14T09:00:00Z",
            "lines_changes": [line],
        }
        body = {"data": {"type": "goods_in_receipts", "attributes": receipt}}
        receipt_id = client.post(f"{url}/clarus/api/goods_in_receipts", json=body, headers=headers).json()["data"]["id"]
        client.post(f"{url}/clarus/api/goods_in_receipts/{receipt_id}/receive", headers=headers).raise_for_status()
        products.append((product_id, warehouse, stock))
    return products


def _emporix_orders(client: httpx.Client, url: str, orders: list[str]) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "acme-pickpack",
        "client_secret": "acme-pickpack-secret",
        "scope": "pickpack.pickpack_manage",
    }
    token = client.post(f"{url}/emporix/oauth/token", data=form).json()["access_token"]
    for order in orders:
        response = client.put(
            f"{url}/emporix/_control/pick-pack/acme/orders/{order}",
            json={"siteCode": "main"},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()


def _butler_inventory(client: httpx.Client, url: str, skus: list[tuple[str, int]]) -> None:
    for sku, quantity in skus:
        response = client.put(
            f"{url}/butler/control/inventory/{sku}",
            json={"quantity": quantity},
            headers={"Authorization": f"Bearer {ENV['SANDBOX_BUTLER_TOKEN']}"},
        )
        response.raise_for_status()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    reference = Reference(Faults(TENANT_STOCK_UNIT_TYPES), demo_credentials=True)
    with ReferenceServer(reference) as server, httpx.Client(timeout=10) as client:
        orders = [f"SBX{n:05d}" for n in range(1, ORDERS + 1)]
        skus = [(f"SBX-SKU-{n}", 12) for n in range(1, SKUS_IN_STOCK + 1)] + [("SBX-ONE", 12)]
        products = _clarus_master_data(client, server.url)
        _emporix_orders(client, server.url, orders)
        _butler_inventory(client, server.url, skus)
        yield Sandbox(server.url, products, orders, skus[:-1])


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def profile(
    tmp_path: Path,
    url: str,
    products: list[tuple[int, int, int]],
    orders: list[str],
    in_stock: list[tuple[str, int]],
) -> Path:
    """A sandbox profile: everything the target offers is declared, every piece of data it needs given."""
    ready_products = _toml_list(
        [
            f"{{id = {p}, stock = {stock}}}"
            if warehouse == WAREHOUSE
            else f"{{id = {p}, stock = {stock}, warehouse_id = {warehouse}}}"
            for p, warehouse, stock in products
        ]
    )
    stocked = _toml_list([f'{{sku = "{sku}", quantity = {quantity}}}' for sku, quantity in in_stock])
    text = f"""
[target]
name = "sandbox"

[clarus]
base_url = "{url}/clarus"
subdomain = "acme"
capabilities = []             # receiving creates receive tasks, not stock
[clarus.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "acme-client"
client_secret_env = "SANDBOX_CLARUS_SECRET"
[clarus.other_tenant]
subdomain = "globex"
[clarus.other_tenant.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "globex-client"
client_secret_env = "SANDBOX_CLARUS_OTHER_SECRET"
[clarus.test_data]
account_id = 7
warehouse_id = {WAREHOUSE}
product_attributes = {{stock_unit_type_id = {STOCK_UNIT_TYPE}}}
stock_in = "none"
products = {ready_products}

[emporix]
base_url = "{url}/emporix"
tenant = "acme"
token_url = "{url}/emporix/oauth/token"
client_id = "acme-pickpack"
client_secret_env = "SANDBOX_EMPORIX_SECRET"
capabilities = ["token_lifetime"]
poll_timeout = 10.0
[emporix.other_tenant]
tenant = "globex"
client_id = "globex-pickpack"
client_secret_env = "SANDBOX_EMPORIX_OTHER_SECRET"
[emporix.test_data]
orders = {_toml_list([f'"{order}"' for order in orders])}

[butler]
base_url = "{url}/butler"
token_env = "SANDBOX_BUTLER_TOKEN"
control_url = "{url}/butler/control"
capabilities = ["callback", "hold", "rack", "pick", "finish"]
notification_timeout = 5.0
[butler.test_data]
in_stock = {stocked}
absent = {_toml_list([f'"{sku}"' for sku in ABSENT_SKUS])}
"""
    path = tmp_path / "sandbox.toml"
    path.write_text(text)
    return path


# A line of a test's data that names a ready item: what, and which.
READY_ITEM = re.compile(r"^(?:product (\d+): \[clarus\.test_data\]|SKU (\S+): \[butler\.test_data\] in_stock)")
READY_ORDERS = re.compile(r"^orders (.*): \[emporix\.test_data\] orders$")
SHARED_JOB = re.compile(r"^job \S+: a MANUAL job of order (\S+) \(\[emporix\.test_data\] orders\)")


def _data_lines(report: dict) -> dict[str, list[str]]:
    """Each test's data lines, once per test (a test is listed under every requirement it judges)."""
    found: dict[str, list[str]] = {}
    for requirement in report["requirements"]:
        for test in requirement["tests"]:
            found.setdefault(test["nodeid"], test.get("data", []))
    return found


# Two runs of the suite against the sandbox: Clarus's scenarios under two xdist workers, which claim ready products
# from one ledger; then everything else in one process. Against one shared target, Clarus's fuzzing may process a goods
# out another worker's scenario has just created, Emporix's AUTOMATIC jobs take every order with new packing events in
# the tenant, and Butler notifications go to one callback URL: those run serially, as a user would run them.
RUNS = (
    ("--api", "clarus", "--", "-n", "2", "-k", "not test_fuzz"),
    # One process: the table has one order for the access scenarios' shared job, and each process takes its own
    # (`pickconform check --workers N` counts them; concurrency on one sandbox is test_concurrency's).
    ("--workers", "1", "--", "-k", "test_fuzz or emporix or butler"),
)


def test_the_suite_runs_against_a_sandbox_configured_only_through_test_data(tmp_path: Path, sandbox: Sandbox) -> None:
    """No error, every requirement judged, and no ready item changed by two tests (across xdist workers too)."""
    path = profile(tmp_path, sandbox.url, sandbox.products, sandbox.orders, sandbox.skus)
    started = time.monotonic()
    reports = []
    for n, selection in enumerate(RUNS):
        begun = time.monotonic()
        arguments = ("run", "--profile", str(path), "--fuzz-examples", "5", *selection)
        run = pickconform(*arguments, report_dir=tmp_path / f"run{n}", env=ENV, timeout=180)
        print(f"sandbox run {' '.join(selection)}: {time.monotonic() - begun:.1f} s")
        assert run.report is not None, run.stderr[-3000:]
        summary = run.report["summary"]
        assert run.status == 0, f"exit {run.status}\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
        assert summary["error"] == 0 and summary["fail"] == 0 and summary["warn"] == 0, summary
        assert "-n" not in selection or "2 workers" in run.stdout, run.stdout[:2000]  # the ledger is shared
        reports.append(run.report)
    print(f"sandbox runs: {time.monotonic() - started:.1f} s")
    judged = {r["id"] for report in reports for r in report["requirements"] if r["status"] == "pass"}
    skipped = {r["id"]: r["reason"] for report in reports for r in report["requirements"] if r["id"] not in judged}
    assert all(skipped.values()), f"a skip without its reason: {skipped}"
    assert skipped == {}, f"requirements such a target can be judged on were not judged: {skipped}"
    assert len(judged) > 70, sorted(judged)
    lines = {nodeid: data for report in reports for nodeid, data in _data_lines(report).items()}

    taken: dict[str, set[str]] = defaultdict(set)  # ready item -> the tests that used it
    shared_jobs: set[str] = set()
    for nodeid, data in lines.items():
        for line in data:
            assert not re.match(r"(product|orders|SKU \S+: \d+ units).*\(set-up", line), (nodeid, line)
            if match := READY_ITEM.match(line):
                taken[match.group(1) or match.group(2)].add(nodeid)
            elif match := READY_ORDERS.match(line):
                for pair in match.group(1).split():
                    taken[pair.partition("=")[2]].add(nodeid)
            elif match := SHARED_JOB.match(line):
                shared_jobs.add(match.group(1))
    reused = {item: tests for item, tests in taken.items() if len(tests) > 1}
    assert not reused, f"a ready item changed by more than one test: {reused}"
    assert not shared_jobs & set(taken), "the order of the shared job was also handed to a test"
    assert len(shared_jobs) == 1, shared_jobs  # one per process (Emporix runs in one)
    assert {str(p) for p, _, _ in sandbox.products} <= set(taken), "every ready product serves one stock scenario"
    assert {sku for sku, _ in sandbox.skus} <= set(taken), "every SKU in stock serves one inventory scenario"
    assert set(taken) | shared_jobs >= set(sandbox.orders), "every ready order serves one test"
    assert any("[butler.test_data] absent" in line for data in lines.values() for line in data)


def test_too_little_test_data_is_a_skip_that_says_why(tmp_path: Path, sandbox: Sandbox) -> None:
    """Fewer orders than a scenario names, no product with enough stock, one SKU for two scenarios: skipped, each
    saying what it needed and what test_data lacks; the scenario that got the SKU is judged."""
    path = profile(tmp_path, sandbox.url, [(99_999_999, WAREHOUSE, 2)], ["SBX-NONE-1", "SBX-NONE-2"], [("SBX-ONE", 12)])
    requirements = ("CLARUS-ERR-39", "EMPORIX-MANUAL-EXACT", "BUTLER-FULFILLABLE", "BUTLER-COMPLETE")
    selection = [arg for requirement in requirements for arg in ("--requirement", requirement)]
    arguments = ("run", "--profile", str(path), "--run-id", "short", *selection)  # the sandbox keeps the first run's
    run = pickconform(*arguments, report_dir=tmp_path / "out", env=ENV, timeout=120)
    assert run.status == 0, f"exit {run.status}\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    reasons = {r["id"]: r["reason"] for r in run.report["requirements"]} if run.report else {}
    assert run.statuses() == {
        "CLARUS-ERR-39": "skip",
        "EMPORIX-MANUAL-EXACT": "skip",
        "BUTLER-FULFILLABLE": "pass",
        "BUTLER-COMPLETE": "skip",
    }, reasons
    assert "stock_in is none" in reasons["CLARUS-ERR-39"], reasons
    assert "no [clarus.test_data] product has 5 units" in reasons["CLARUS-ERR-39"], reasons
    assert "3 orders" in reasons["EMPORIX-MANUAL-EXACT"], reasons
    assert "lacks capability seed_orders" in reasons["EMPORIX-MANUAL-EXACT"], reasons
    assert "names only 2 orders" in reasons["EMPORIX-MANUAL-EXACT"], reasons
    assert "lacks capability inventory" in reasons["BUTLER-COMPLETE"], reasons
    assert "used by other tests" in reasons["BUTLER-COMPLETE"], reasons


def test_the_ledger_hands_each_item_to_one_test(tmp_path: Path) -> None:
    """Two ledgers on one file stand for two xdist workers: an item goes to one test, a claim that cannot be met
    takes nothing."""
    path = tmp_path / "claims.json"
    first, second = Ledger(path), Ledger(path)
    assert first.claim("orders", ["A", "B", "C"], 2, "t1") == ["A", "B"]
    assert second.claim("orders", ["A", "B", "C"], 2, "t2") is None  # one left: nothing taken
    assert second.claim("orders", ["A", "B", "C"], 1, "t2") == ["C"]
    assert first.claim("orders", ["A", "B", "C"], 1, "t3") is None
    assert first.claim("products", ["A"], 1, "t3") == ["A"]  # pools are apart
    results: list[list[str] | None] = []
    pool = [str(n) for n in range(200)]

    def claim_many(ledger: Ledger, name: str) -> None:
        for n in range(100):
            results.append(ledger.claim("skus", pool, 1, f"{name}{n}"))

    threads = [
        threading.Thread(target=claim_many, args=(ledger, name)) for ledger, name in ((first, "x"), (second, "y"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [item for result in results if result for item in result]
    assert sorted(taken, key=int) == pool


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[clarus.test_data]\nstock_in = "transfer"\n', "[clarus.test_data]: stock_in must be one of receive, none"),
        ("[clarus.test_data]\nproduct_attributes = 4\n", "'product_attributes' must be a table"),
        ("[clarus.test_data]\nproducts = [{id = 1}]\n", "[clarus.test_data.products[0]]: missing 'stock'"),
        ("[clarus.test_data]\nproducts = [{id = 1, stock = 5, bin = 2}]\n", "unknown key 'bin'"),
        ("[clarus.test_data]\nproducts = [{id = 1, stock = 5}, {id = 1, stock = 9}]\n", "named twice"),
        ("[clarus.test_data]\nwarehouse = 2\n", "[clarus.test_data]: unknown key 'warehouse'"),
        ("[clarus]\nstock_unit_type_id = 4\n", "unknown key 'stock_unit_type_id'"),
    ],
)
def test_a_bad_clarus_test_data_table_is_one_line(tmp_path: Path, table: str, message: str) -> None:
    base = '[clarus]\nbase_url = "https://sandbox.example"\nsubdomain = "acme"\ntoken_env = "T"\n'
    path = tmp_path / "p.toml"
    path.write_text(base + table if table.startswith("[clarus.") else table + 'base_url = "https://x"\n')
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert message in str(error.value) and "\n" not in str(error.value), str(error.value)


@pytest.mark.parametrize(
    ("section", "table", "message"),
    [
        ("emporix", 'orders = ["A", "A"]', "[emporix.test_data]: orders: an order id is named twice"),
        ("emporix", "orders = [1, 2]", "'orders' must be a list of str"),
        ("butler", 'in_stock = [{sku = "A"}]', "[butler.test_data.in_stock[0]]: missing 'quantity'"),
        ("butler", 'in_stock = [{sku = "A", quantity = 0}]', "quantity of at least 1"),
        ("butler", 'in_stock = [{sku = "A", quantity = 3}]\nabsent = ["A"]', "also in_stock"),
    ],
)
def test_a_bad_emporix_or_butler_test_data_table_is_one_line(
    tmp_path: Path, section: str, table: str, message: str
) -> None:
    bases = {
        "emporix": 'base_url = "https://x"\ntenant = "acme"\nview_token_env = "V"\nmanage_token_env = "M"\n',
        "butler": 'base_url = "https://x"\ntoken_env = "T"\n',
    }
    path = tmp_path / "p.toml"
    path.write_text(f"[{section}]\n{bases[section]}[{section}.test_data]\n{table}\n")
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert message in str(error.value) and "\n" not in str(error.value), str(error.value)


def test_test_data_tables_are_read(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[clarus]\nbase_url = "https://x"\nsubdomain = "acme"\ntoken_env = "T"\n'
        "[clarus.test_data]\nwarehouse_id = 3\nproduct_attributes = {stock_unit_type_id = 4}\n"
        'stock_in = "none"\nproducts = [{id = 17, stock = 500}, {id = 18, stock = 6, warehouse_id = 5}]\n'
        '[emporix]\nbase_url = "https://x"\ntenant = "acme"\nview_token_env = "V"\nmanage_token_env = "M"\n'
        '[emporix.test_data]\norders = ["ORD00001", "ORD00002"]\n'
        '[butler]\nbase_url = "https://x"\ntoken_env = "T"\n'
        '[butler.test_data]\nin_stock = [{sku = "S1", quantity = 10}]\nabsent = ["S0"]\n'
    )
    families = load_profile(path).families
    clarus = families["clarus"].test_data
    assert clarus.product_attributes == {"stock_unit_type_id": 4} and clarus.stock_in == "none"
    assert [(p.id, clarus.warehouse_of(p), p.stock) for p in clarus.products] == [(17, 3, 500), (18, 5, 6)]
    assert families["emporix"].test_data.orders == ["ORD00001", "ORD00002"]
    butler = families["butler"].test_data
    assert [(s.sku, s.quantity) for s in butler.in_stock] == [("S1", 10)] and butler.absent == ["S0"]

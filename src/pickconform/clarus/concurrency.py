"""What may not overlap on one Clarus target (a sandbox the workers of a run share).

A goods out is the tenant's: any client that knows its id may process it. So the tests that process goods outs they
did not create (fuzzing `process_picks_async` and `process_and_consolidate_picks` with generated ids, the stateful
links that receive stock into generated products, the hostile body that names 100,000 ids) must not run while a
scenario processes its own orders, or counts on its product's exact stock: that scenario would see its order taken
(error 59) or its stock moved. They form one exclusive group, run one after another; every other Clarus test may run
beside anything (each scenario creates its own product and orders, or claims its ready product in the run's ledger).

`EXCLUSIVE` maps a group's name to the tests in it: `fnmatch` patterns of a node id below the family's folder of the
conformance suite (`tests/conformance/clarus/`).
"""

from __future__ import annotations

EXCLUSIVE: dict[str, tuple[str, ...]] = {
    "clarus-goods-outs": (
        # take goods outs they did not create
        "test_fuzz.py::test_rest_operation[[]POST /goods_out_processes/*",
        "test_fuzz.py::test_stateful_links",
        "test_robustness.py::test_hostile_body_is_not_a_server_error[[]100k ids]",
        # process their own goods outs, or count on their product's stock (features/clarus)
        "test_scenarios.py::test_each_processed_order_gets_its_own_process_reference",
        "test_scenarios.py::test_polling_reaches_completed_reporting_only_documented_statuses",
        "test_scenarios.py::test_an_order_without_lines_reaches_completed_or_failed",
        "test_scenarios.py::test_both_documented_graphql_query_shapes_find_the_request",
        "test_scenarios.py::test_the_success_path_answers_as_the_specification_documents",
        "test_scenarios.py::test_insufficient_stock_is_error_39_and_allocates_nothing",
        "test_scenarios.py::test_processing_the_same_order_twice_is_error_59",
        "test_scenarios.py::test_consolidating_orders_of_different_pick_types_is_error_318",
        "test_scenarios.py::test_orders_of_one_pick_type_are_consolidated_into_one_process_reference",
        "test_scenarios.py::test_a_draft_order_is_not_processed",
        "test_scenarios.py::test_two_simultaneous_requests_for_the_same_order_allocate_it_once",
        "test_scenarios.py::test_two_orders_competing_for_the_same_stock_are_never_both_allocated",
        "test_scenarios.py::test_another_tenants_goods_out_cannot_be_processed_as_an_unknown_id",
    ),
}

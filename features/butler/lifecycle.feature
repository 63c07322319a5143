@api:butler
Feature: The Butler pick request lifecycle, observed through notifications
  Seed 004: created → fulfillable (inventory available and blocked) → cancellation_locked (first rack reached)
  → pick_started (pick transactions) → complete; created → not_fulfillable (no inventory); pick_started →
  abandoned (inventory missing). Every stream is judged against specs/butler/lifecycle.json. "A SKU with N units of
  inventory" is given them through the control protocol (inventory), or is one of the profile's SKUs in stock
  ([butler.test_data]), used by this scenario alone; "all units" is then its whole quantity.

  @req:BUTLER-NOT-FULFILLABLE @req:BUTLER-LIFECYCLE @req:BUTLER-NOTIFY-SCHEMA
  Scenario: Without inventory the pick request is not fulfillable
    When a pick request for 3 units of a SKU without inventory is created
    Then the pick request becomes not_fulfillable
    And every notification stream followed the lifecycle

  @req:BUTLER-FULFILLABLE @req:BUTLER-LIFECYCLE
  Scenario: Available inventory is blocked for the first pick request only
    Given a SKU with 5 units of inventory
    When a pick request for all units of the SKU is created
    Then the pick request becomes fulfillable
    When a pick request for all units of the SKU is created
    Then the pick request becomes not_fulfillable
    And every notification stream followed the lifecycle

  @req:BUTLER-COMPLETE @req:BUTLER-BIN-COMPLETE @req:BUTLER-LIFECYCLE @req:BUTLER-NOTIFY-ORDER
  @req:BUTLER-NOTIFY-SCHEMA @req:BUTLER-NOTIFY-UNIQUE-ID @capability:rack @capability:pick
  @capability:finish
  Scenario: All picks done: complete, then bin_complete
    Given a SKU with 10 units of inventory
    And a fulfillable pick request for 4 units of the SKU
    When the first rack is reached
    Then the pick request becomes cancellation_locked
    When 1 unit is picked
    Then the pick request becomes pick_started
    When 3 units are picked
    Then the pick request becomes pick_started
    When the pick is finished
    Then the pick request becomes complete
    And each line's actuals add up to its expected quantity
    And a bin_complete about the pick request follows
    And every notification stream followed the lifecycle

  @req:BUTLER-COMPLETE @req:BUTLER-LIFECYCLE @capability:rack @capability:pick
  @capability:finish
  Scenario Outline: A pick exception is reported in its container, and the request still completes
    Given a SKU with 10 units of inventory
    And a fulfillable pick request for 2 units of the SKU
    And the first rack has been reached
    When 1 unit is picked with container state <exception>
    Then the pick request becomes pick_started
    And the latest notification reports a <exception> container
    When 2 units are picked
    Then the pick request becomes pick_started
    When the pick is finished
    Then the pick request becomes complete
    And every notification stream followed the lifecycle

    Examples:
      | exception          |
      | physically_damaged |
      | unscannable        |

  @req:BUTLER-ABANDONED @req:BUTLER-LIFECYCLE @capability:rack @capability:pick
  @capability:finish
  Scenario: Inventory missing: the pick request is abandoned
    Given a SKU with 10 units of inventory
    And a fulfillable pick request for 3 units of the SKU
    And the first rack has been reached
    When 1 unit is picked
    Then the pick request becomes pick_started
    When 2 units are picked with container state item_missing
    Then the pick request becomes pick_started
    And the latest notification reports a item_missing container
    When the pick is finished
    Then the pick request becomes abandoned
    And every notification stream followed the lifecycle

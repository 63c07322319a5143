@api:clarus
Feature: Clarus pick processing refusals (error codes 36, 37, 39, 59, 318)
  Seed 000 §Error Codes (and the vendor's page for 318): pick processing refuses with a numeric code and its symbol.
  The HTTP status is undocumented: a 4xx is required, and the profile says where the code lives. "A product with N
  units in stock" is received through the API, or is one of the profile's ready products ([clarus.test_data]), used
  by this scenario alone; "all units" is then its whole stock.

  @req:CLARUS-ERR-36
  Scenario: No order IDs is error 36
    When I process picks for no orders
    Then the request is refused with error 36

  @req:CLARUS-ERR-37
  Scenario: An unknown goods out ID is error 37
    When I process picks for an unknown goods out ID
    Then the request is refused with error 37

  @req:CLARUS-ERR-39
  Scenario: Insufficient stock is error 39 and allocates nothing
    Given a product with 5 units in stock
    And a pending goods out for 3 units more than the product has in stock
    When I process picks for the goods out
    Then the request is refused with error 39
    And a goods out for all units of the product can still be processed

  @req:CLARUS-ERR-59
  Scenario: Processing the same order twice is error 59
    Given a product with 10 units in stock
    And a pending goods out for 2 units of the product
    And its picks have been processed
    When I process picks for the goods out again
    Then the request is refused with error 59

  @req:CLARUS-ERR-318
  Scenario: Consolidating orders of different pick types is error 318
    Given a product with 10 units in stock
    And a pending goods out for 2 units of the product picked "standard"
    And a pending goods out for 2 units of the product picked "tote"
    When I process and consolidate picks for all goods outs
    Then the request is refused with error 318

  @req:CLARUS-ERR-318 @req:CLARUS-CONSOLIDATE-ONE-REF
  Scenario: Orders of one pick type are consolidated into one process reference
    Given a product with 10 units in stock
    And a pending goods out for 2 units of the product picked "tote"
    And a pending goods out for 3 units of the product picked "tote"
    When I process and consolidate picks for all goods outs
    Then the goods outs share one process reference

  @req:CLARUS-PREREQ-STATUS
  Scenario: A DRAFT order is not processed
    Given a product with 10 units in stock
    And a draft goods out for 2 units of the product
    When I process picks for the goods out
    Then the request is refused

@api:clarus
Feature: Clarus allocation under concurrency
  Two simultaneous process requests must not allocate one order, or one unit of stock, twice. "A product with N
  units in stock" is received through the API, or is one of the profile's ready products ([clarus.test_data]), used
  by this scenario alone; "all units" is then its whole stock.

  @req:CLARUS-ALLOC-ONCE @req:CLARUS-ALLOC-ONCE-CODES
  Scenario: Two simultaneous requests for the same order allocate it once
    Given a product with 10 units in stock
    And a pending goods out for 4 units of the product
    When two clients process picks for the same goods out at the same moment
    Then exactly one succeeds and the other is refused with error 59

  @req:CLARUS-ALLOC-ONCE @req:CLARUS-ALLOC-ONCE-CODES
  Scenario: Two orders competing for the same stock are never both allocated
    Given a product with 6 units in stock
    And a pending goods out for all units of the product
    And a pending goods out for all units of the product
    When two clients each process picks for one of the goods outs at the same moment
    Then exactly one succeeds and the other is refused with error 39

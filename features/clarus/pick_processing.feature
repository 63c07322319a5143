@api:clarus
Feature: Clarus asynchronous pick processing and GraphQL polling
  Seed 000: process_picks_async answers process references (one pick list per order); each request is polled
  through GraphQL until it is completed or failed. "A product with N units in stock" is received through the API,
  or is one of the profile's ready products ([clarus.test_data]), used by this scenario alone.

  Background:
    Given a product with 20 units in stock

  @req:CLARUS-PROCESS-REFERENCES @req:CLARUS-ONE-REF-PER-ORDER
  Scenario: Each processed order gets its own process reference
    Given a pending goods out for 2 units of the product
    And a pending goods out for 3 units of the product
    When I process picks for all goods outs
    Then each goods out gets its own process reference

  @req:CLARUS-POLL-TERMINAL @req:CLARUS-STATUS-ENUM
  Scenario: Polling reaches completed, reporting only documented statuses
    Given a pending goods out for 4 units of the product
    When I process picks for the goods out
    And I poll the pick processing requests until they finish
    Then every pick processing request completed
    And every status observed was pending, completed or failed

  @req:CLARUS-POLL-TERMINAL @req:CLARUS-STATUS-ENUM
  Scenario: An order without lines reaches completed or failed
    Given a pending goods out without lines
    When I process picks for the goods out
    And I poll the pick processing requests of the order without lines until they finish
    Then every pick processing request finished
    And every status observed was pending, completed or failed

  @req:CLARUS-GQL-SHAPES
  Scenario: Both documented GraphQL query shapes find the request
    Given a pending goods out for 1 units of the product
    When I process picks for the goods out
    Then both GraphQL query shapes find the pick processing request

  @req:CLARUS-SCHEMA
  Scenario: The success path answers as the specification documents
    Given a pending goods out for 2 units of the product
    When I process picks for the goods out
    And I poll the pick processing requests until they finish
    Then every response conformed to the Clarus specification

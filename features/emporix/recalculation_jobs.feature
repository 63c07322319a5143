@api:emporix
Feature: Emporix pick-pack recalculation jobs: MANUAL and AUTOMATIC
  POST /pick-pack/{tenant}/jobs/recalculations starts a job; GET .../{jobId} reports it. A job is IN_PROGRESS until
  every order has an outcome, then SUCCESS or FAILURE. Orders are labelled A, B, ... in a scenario; a label that no
  Given created is an order id the tenant does not have. A Given's orders are seeded (seed_orders), or are ready
  orders of the tenant ([emporix.test_data]), each recalculated by one scenario per run. Which orders AUTOMATIC
  selects, how a job's status follows from mixed outcomes, 409 and duplicates are pickconform's readings
  (DECISIONS.md): a departure is a warning.

  @req:EMPORIX-MANUAL-EXACT @req:EMPORIX-MANUAL-DUPLICATES @req:EMPORIX-JOB-SCHEMA @req:EMPORIX-JOB-ID-FORMAT
  Scenario: A MANUAL job recalculates exactly the given orders, a repeated one once
    Given pick-pack orders "A B C" of the tenant
    When I trigger a MANUAL recalculation of "A B B"
    Then the job is accepted with a well-formed job id
    And the job runs from IN_PROGRESS to a final status
    And the job lists each of the orders "A B" exactly once

  @req:EMPORIX-JOB-LIFECYCLE @req:EMPORIX-JOB-PROGRESS @req:EMPORIX-JOB-STATUS @req:EMPORIX-ORDER-MESSAGE
  @req:EMPORIX-JOB-SCHEMA
  Scenario: A job runs from IN_PROGRESS to SUCCESS and stays there
    Given pick-pack orders "A B" of the tenant
    When I trigger a MANUAL recalculation of "A B"
    Then the job is accepted with a well-formed job id
    And the job runs from IN_PROGRESS to a final status
    And the job ended SUCCESS
    And every order of the job ended SUCCESS with a message

  @req:EMPORIX-MANUAL-UNKNOWN-ORDER @req:EMPORIX-JOB-STATUS-MIXED @req:EMPORIX-ORDER-MESSAGE
  Scenario: An order the tenant does not have fails alone, and fails the job
    Given pick-pack orders "A" of the tenant
    When I trigger a MANUAL recalculation of "A X"
    Then the job is accepted with a well-formed job id
    And the job runs from IN_PROGRESS to a final status
    And order "A" ended SUCCESS with a message
    And order "X" ended FAILURE with a message
    And the job ended FAILURE

  @req:EMPORIX-MANUAL-REQUIRES-IDS @req:EMPORIX-ERROR-BODY @req:EMPORIX-ERROR-CODE
  Scenario Outline: A MANUAL job without orders is refused with 400
    When I trigger a MANUAL recalculation <orders>
    Then the answer is 400 with the documented error body

    Examples:
      | orders                      |
      | without orderIds            |
      | with an empty orderIds list |

  @req:EMPORIX-AUTOMATIC-EVENTS
  Scenario: An AUTOMATIC job selects the orders with packing events
    Given pick-pack orders "A B C" of the tenant
    And a packing event for order "A"
    And a packing event for order "B"
    When I trigger an AUTOMATIC recalculation
    Then the job is accepted with a well-formed job id
    And the job runs from IN_PROGRESS to a final status
    And the job includes the orders "A B"
    And the job does not include the orders "C" that had no packing event

  @req:EMPORIX-AUTOMATIC-SINCE-RECALCULATION @req:EMPORIX-AUTOMATIC-EVENTS
  Scenario: An AUTOMATIC job leaves out orders recalculated since their latest packing event
    Given pick-pack orders "A B" of the tenant
    And a packing event for order "A"
    And a packing event for order "B"
    And a MANUAL recalculation of "A" has finished
    When I trigger an AUTOMATIC recalculation
    Then the job is accepted with a well-formed job id
    And the job runs from IN_PROGRESS to a final status
    And the job includes the orders "B"
    And the job does not include the orders "A" recalculated since their latest packing event

  @req:EMPORIX-CONFLICT-409 @req:EMPORIX-ERROR-BODY @req:EMPORIX-ERROR-CODE
  Scenario: Orders of a running job cannot join a second job
    Given pick-pack orders "A B" of the tenant
    When I trigger a MANUAL recalculation of "A"
    And another MANUAL recalculation of "A B" is triggered right away
    Then the second job is refused with 409 while the first one runs

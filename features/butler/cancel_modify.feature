@api:butler
Feature: Cancelling and modifying Butler pick requests, asynchronously
  Seed 004: cancel and modify answer a transaction; the outcome arrives as an order_modification (success or
  failure), followed on success by order_information. Both succeed only before cancellation_locked. Each Given
  state is confirmed from the notifications, and the state at the call from the stream: not reached, the scenario is
  skipped with the reason.

  @req:BUTLER-CANCEL-BEFORE-LOCK @req:BUTLER-ASYNC-OUTCOME @req:BUTLER-OUTCOME-ID @req:BUTLER-NOTIFY-ORDER
  @req:BUTLER-NOTIFY-SCHEMA
  Scenario Outline: Cancel succeeds in <state>
    Given a pick request in state <state>
    When the pick request is cancelled
    Then the call answers a transaction for the pick request
    And the cancel ends in success
    And the pick request becomes cancelled
    And every notification stream followed the lifecycle

    Examples:
      | state       |
      | created     |
      | fulfillable |

  @req:BUTLER-CANCEL-LOCKED @req:BUTLER-ASYNC-OUTCOME
  Scenario Outline: Cancel fails in <state>
    Given a pick request in state <state>
    When the pick request is cancelled
    Then the call answers a transaction for the pick request
    And the cancel ends in failure
    And the pick request is still <state>
    And every notification stream followed the lifecycle

    Examples:
      | state               |
      | cancellation_locked |
      | pick_started        |
      | complete            |

  @req:BUTLER-MODIFY-BEFORE-LOCK @req:BUTLER-MODIFY-SAME-STATE @req:BUTLER-ASYNC-OUTCOME @req:BUTLER-NOTIFY-ORDER
  Scenario Outline: Modify succeeds in <state>
    Given a pick request in state <state>
    When the pick request is modified to priority "critical"
    Then the call answers a transaction for the pick request
    And the modify ends in success
    And the pick request is modified with priority "critical", still <state>
    And every notification stream followed the lifecycle

    Examples:
      | state       |
      | created     |
      | fulfillable |

  @req:BUTLER-MODIFY-LOCKED @req:BUTLER-ASYNC-OUTCOME @req:BUTLER-OUTCOME-ID
  Scenario Outline: Modify fails in <state>
    Given a pick request in state <state>
    When the pick request is modified to priority "critical"
    Then the call answers a transaction for the pick request
    And the modify ends in failure
    And the pick request is still <state>
    And every notification stream followed the lifecycle

    Examples:
      | state               |
      | cancellation_locked |
      | pick_started        |
      | complete            |

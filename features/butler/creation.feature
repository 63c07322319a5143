@api:butler
Feature: Creating Butler pick service requests
  Seed 004: a PICK service request with at least one PICK_LINE child is created and returned with its ids; its
  attributes set priorities and time windows; bad data is refused with 400.

  @req:BUTLER-CREATE
  Scenario: Creating a pick request answers the created object
    When a pick request for 3 units of a new SKU is created
    Then the created object has ids, its lines, type PICK and state CREATED

  @req:BUTLER-ATTRIBUTES
  Scenario Outline: Priorities and time windows are accepted
    When a pick request with priority "<priority>" and a time window is created
    Then the created object keeps the priority and the time window

    Examples:
      | priority |
      | normal   |
      | high     |
      | low      |
      | critical |

  @req:BUTLER-REJECTS-INVALID
  Scenario Outline: Bad data is refused with 400
    When a pick request is created with bad data: <defect>
    Then the request is refused with 400

    Examples:
      | defect                          |
      | no pick lines                   |
      | a line of type PICK             |
      | type PUT                        |
      | a quantity as a string          |
      | a malformed filter              |
      | a filter operator like          |
      | filter_parameters as a string   |
      | an unknown simple_priority      |
      | a pick_before_time not ISO 8601 |

  @req:BUTLER-REJECTS-INVALID
  Scenario: Cancelling an unknown pick request is refused with 400
    When an unknown pick request is cancelled
    Then the request is refused with 400

@api:butler
Feature: Creating Butler pick service requests
  Seed 004: a PICK service request with at least one PICK_LINE child is created and returned with its ids; its
  attributes set priorities and time windows. The vendor's reference gives create "200: No error" and "400: Bad
  data". For cancel and modify it gives no status: 400 there is pickconform's reading (a warning only), and an unknown
  pick request may be refused at once or accepted and answered by an order_modification failure.

  @req:BUTLER-CREATE
  Scenario: Creating a pick request answers the created object
    When a pick request for 3 units of a SKU without inventory is created
    Then the created object has ids, its lines, type PICK and state CREATED

  @req:BUTLER-CREATE
  Scenario: A pick request without externalServiceRequestId is created all the same
    The vendor's service request object page: "externalServiceRequestId - optional string ... Even if this is not
    provided, there is an internal unique id of each service request." The suite sends one everywhere else (cancel
    and modify name the request by it).
    When a pick request without externalServiceRequestId is created
    Then the created object has ids, its line, type PICK and state CREATED

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

  @req:BUTLER-REJECTS-TRANSACTION
  Scenario Outline: A cancel or modify of the wrong shape is refused with 400
    Given a pick request without inventory
    When the pick request is <call> with bad data: <defect>
    Then the request is refused with 400

    Examples:
      | call      | defect                               |
      | cancelled | no type                              |
      | cancelled | type PUT                             |
      | cancelled | no externalServiceRequestId          |
      | cancelled | externalServiceRequestId as a number |
      | modified  | type PUT                             |
      | modified  | no externalServiceRequestId          |
      | modified  | an unknown simple_priority           |

  @req:BUTLER-UNKNOWN-REQUEST @req:BUTLER-ASYNC-OUTCOME
  Scenario Outline: A <call> of an unknown pick request does not succeed
    When an unknown pick request is <done>
    Then the <call> of the unknown pick request does not succeed
    And every notification stream followed the lifecycle

    Examples:
      | call   | done      |
      | cancel | cancelled |
      | modify | modified  |

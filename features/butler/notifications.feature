@api:butler
Feature: Delivering Butler notifications
  Notifications are POSTed as JSON to the callback; a 2xx acknowledges. That one not acknowledged is delivered again
  (bounded), with the same notification_id, is pickconform's reading: the seed gives no retry policy.

  @req:BUTLER-NOTIFY-RETRY @req:BUTLER-NOTIFY-UNIQUE-ID
  Scenario: A notification refused with 500 is delivered again
    Given the callback refuses the first notification about the next pick request with 500
    When a pick request for 2 units of a SKU without inventory is created
    Then the refused notification is delivered again
    And the pick request becomes not_fulfillable
    And every notification stream followed the lifecycle

@api:clarus
Feature: Clarus authentication and tenant isolation
  Every request carries a bearer token and X-Clarus-Subdomain; the subdomain selects the tenant's data.

  @req:CLARUS-AUTH-401
  Scenario: A request without a token is refused with 401
    When I process picks for an unknown goods out ID without a token
    Then the request is refused as unauthorized

  @req:CLARUS-AUTH-401
  Scenario: A request with an invalid token is refused with 401
    When I process picks for an unknown goods out ID with an invalid token
    Then the request is refused as unauthorized

  @req:CLARUS-AUTH-401
  Scenario: Creating a goods out without a token is refused with 401
    When I create a valid goods out without a token
    Then the request is refused as unauthorized

  @req:CLARUS-TENANT-ISOLATION
  Scenario: Another tenant's goods out cannot be read
    Given the other tenant has a pending goods out
    When I read the other tenant's goods out
    Then the goods out is not found

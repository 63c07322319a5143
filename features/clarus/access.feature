@api:clarus
Feature: Clarus authentication and tenant isolation
  Every request carries a bearer token and X-Clarus-Subdomain; the subdomain selects the tenant's data.

  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: A request without a token is refused with 401
    When I process picks for an unknown goods out ID without a token
    Then the request is refused as unauthorized

  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: A request with an invalid token is refused with 401
    When I process picks for an unknown goods out ID with an invalid token
    Then the request is refused as unauthorized

  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: Creating a goods out without a token is refused with 401
    When I create a valid goods out without a token
    Then the request is refused as unauthorized

  @req:CLARUS-SUBDOMAIN-REQUIRED
  Scenario: A request without X-Clarus-Subdomain is refused
    Given a product exists
    When I create a valid goods out without the subdomain header
    Then the request is refused

  @req:CLARUS-TENANT-ISOLATION
  Scenario: Another tenant's goods out cannot be read
    Given the other tenant has a pending goods out
    When I read the other tenant's goods out
    Then the goods out is not found

  @req:CLARUS-TENANT-ISOLATION @req:CLARUS-TENANT-ISOLATION-37
  Scenario: Another tenant's goods out cannot be processed, as an unknown ID
    Given the other tenant has a pending goods out
    When I process picks for the other tenant's goods out
    Then the request is refused
    And the refusal is error 37 as for an unknown ID

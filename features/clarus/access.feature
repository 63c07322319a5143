@api:clarus
Feature: Clarus authentication and tenant isolation
  Every request carries a bearer token and X-Clarus-Subdomain; the subdomain selects the tenant's data.

  # An auth check sends a request that would succeed with valid credentials (a pending goods out with stock, a valid
  # goods out with a line): a refusal for another reason (an unknown ID, an order already processed) judges nothing.
  # The same request is then sent with the tenant's credentials: refused too, the check is skipped with the reason.
  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: A request without a token is refused with 401
    Given a product with 2 units in stock
    And a pending goods out for 1 units of the product
    When I process picks for the goods out without a token
    Then the request is refused as unauthorized
    And the same request with valid credentials is accepted

  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: A request with an invalid token is refused with 401
    Given a product with 2 units in stock
    And a pending goods out for 1 units of the product
    When I process picks for the goods out with an invalid token
    Then the request is refused as unauthorized
    And the same request with valid credentials is accepted

  @req:CLARUS-AUTH-REQUIRED @req:CLARUS-AUTH-401
  Scenario: Creating a goods out without a token is refused with 401
    Given a product exists
    When I create a valid goods out without a token
    Then the request is refused as unauthorized
    And the same request with valid credentials is accepted

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

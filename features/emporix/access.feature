@api:emporix
Feature: Emporix recalculation jobs: tokens, scopes, tenants and job ids
  Triggering a job needs pickpack.pickpack_manage, reading one pickpack.pickpack_view. The tenant in the path selects
  the data: ^[a-z][a-z0-9]+$ with 3-16 characters; a jobId is 3-16 characters of [a-zA-Z0-9_-]. "A recalculation job
  of the tenant" is a MANUAL job of a seeded order (seed_orders), or one job of a ready order ([emporix.test_data])
  that these scenarios share: they only read it.

  @req:EMPORIX-AUTH-401 @req:EMPORIX-ERROR-BODY
  Scenario Outline: A request without a valid token is refused with 401
    Given a recalculation job of the tenant
    When I <operation> with <credential>
    Then the answer is 401 with the documented error body

    Examples:
      | operation     | credential        |
      | trigger a job | no token          |
      | trigger a job | a malformed token |
      | read the job  | no token          |
      | read the job  | a malformed token |

  @req:EMPORIX-AUTH-401 @req:EMPORIX-CHECK-ORDER @req:EMPORIX-ERROR-BODY
  Scenario: A job request without a token and with an unknown jobType is refused for the token first
    When I trigger a job of an unknown jobType without a token
    Then the request is refused, for the missing token first

  @req:EMPORIX-AUTH-EXPIRED @req:EMPORIX-ERROR-BODY
  Scenario Outline: A request with an expired token is refused with 401
    Given a recalculation job of the tenant
    When I <operation> with an expired token
    Then the answer is 401 with the documented error body

    Examples:
      | operation     |
      | trigger a job |
      | read the job  |

  @req:EMPORIX-SCOPE-MANAGE @req:EMPORIX-ERROR-BODY
  Scenario: A view-only token cannot trigger a job
    Given a recalculation job of the tenant
    When I trigger a job with a view-only token
    Then the answer is 403 with the documented error body

  @req:EMPORIX-SCOPE-VIEW @req:EMPORIX-ERROR-BODY
  Scenario: A manage-only token cannot read a job
    Given a recalculation job of the tenant
    When I read the job with a manage-only token
    Then the answer is 403 with the documented error body

  @req:EMPORIX-TENANT-PATTERN @req:EMPORIX-CHECK-ORDER @req:EMPORIX-ERROR-BODY
  Scenario Outline: A tenant that breaks the pattern or the length is refused
    Given a recalculation job of the tenant
    When I <operation> on the tenant path <tenant>
    Then the malformed path is refused

    Examples:
      | operation     | tenant        |
      | trigger a job | in upper case |
      | trigger a job | of 2 letters  |
      | trigger a job | of 17 letters |
      | trigger a job | digit first   |
      | trigger a job | with a hyphen |
      | read the job  | in upper case |
      | read the job  | of 2 letters  |
      | read the job  | of 17 letters |

  @req:EMPORIX-JOBID-PATTERN @req:EMPORIX-CHECK-ORDER @req:EMPORIX-ERROR-BODY
  Scenario Outline: A job id that breaks the pattern or the length is refused
    Given a recalculation job of the tenant
    When I read the job as its id <variant>
    Then the malformed path is refused

    Examples:
      | variant            |
      | with a trailing ! |
      | with a dot inside  |
      | cut to 2 letters   |
      | padded to 17       |

  @req:EMPORIX-UNKNOWN-JOB-404 @req:EMPORIX-ERROR-BODY @req:EMPORIX-ERROR-CODE
  Scenario: A job id that was never issued is not found
    When I read a well-formed job id that was never issued
    Then the answer is 404 with the documented error body

  @req:EMPORIX-TENANT-ISOLATION @req:EMPORIX-ERROR-BODY
  Scenario: Another tenant cannot see the tenant's job
    Given a recalculation job of the tenant
    When the other tenant reads the job with its own token
    Then the answer is 404 with the documented error body

"""Other behaviours of the Emporix pick-pack reference: mutants (deliberate faults, each named after the requirement
the suite must fail) and variants (another reading of a point the documents leave open, which the suite must pass)."""

from pickconform.reference.mutants import mutant, variant

MANUAL_IGNORES_IDS = mutant(
    "emporix-manual-ignores-order-ids",
    "EMPORIX-MANUAL-EXACT",
    "MANUAL selects its orders from packing events, like AUTOMATIC",
)
UNKNOWN_ORDER_SUCCEEDS = mutant(
    "emporix-unknown-order-succeeds", "EMPORIX-MANUAL-UNKNOWN-ORDER", "an order the tenant lacks is reported SUCCESS"
)
AUTOMATIC_IGNORES_EVENTS = mutant(
    "emporix-automatic-ignores-events", "EMPORIX-AUTOMATIC-EVENTS", "AUTOMATIC recalculates every order of the tenant"
)
FAILURE_DESPITE_SUCCESS = mutant(
    "emporix-job-failure-despite-success", "EMPORIX-JOB-STATUS", "a job ends FAILURE even when every order succeeded"
)
STUCK_IN_PROGRESS = mutant("emporix-job-stuck-in-progress", "EMPORIX-JOB-LIFECYCLE", "jobs never leave IN_PROGRESS")
LOWERCASE_STATUS = mutant(
    "emporix-job-status-lowercase", "EMPORIX-JOB-SCHEMA", "jobStatus is answered in lower case (in_progress, success)"
)
LONG_JOB_ID = mutant(
    "emporix-long-job-id", "EMPORIX-JOB-ID-FORMAT", "job ids are 32 hex characters, beyond the 16 GET accepts"
)
AUTH_NOT_ENFORCED = mutant("emporix-auth-not-enforced", "EMPORIX-AUTH-401", "any bearer token, or none, is accepted")
EXPIRED_ACCEPTED = mutant("emporix-expired-token-accepted", "EMPORIX-AUTH-EXPIRED", "token expiry is not checked")
MANAGE_SCOPE_IGNORED = mutant(
    "emporix-manage-scope-not-enforced", "EMPORIX-SCOPE-MANAGE", "a view-only token can trigger jobs"
)
VIEW_SCOPE_IGNORED = mutant(
    "emporix-view-scope-not-enforced", "EMPORIX-SCOPE-VIEW", "a manage-only token can read jobs"
)
TENANT_PATTERN_IGNORED = mutant(
    "emporix-tenant-pattern-ignored", "EMPORIX-TENANT-PATTERN", "the tenant is lower-cased and its length not checked"
)
JOB_ID_NORMALISED = mutant(
    "emporix-job-id-normalised", "EMPORIX-JOBID-PATTERN", "characters outside the jobId pattern are dropped on lookup"
)
UNKNOWN_JOB_EMPTY_200 = mutant(
    "emporix-unknown-job-empty-200", "EMPORIX-UNKNOWN-JOB-404", "an unknown job is answered 200 with an empty body"
)
CROSS_TENANT_JOBS = mutant(
    "emporix-jobs-visible-across-tenants", "EMPORIX-TENANT-ISOLATION", "jobs are looked up without their tenant"
)
PLAIN_TEXT_ERRORS = mutant(
    "emporix-plain-text-errors", "EMPORIX-ERROR-BODY", "refusals (400/404/409) are answered as text/plain"
)
CRASH_ON_AUTOMATIC_IDS = mutant(
    "emporix-crash-on-automatic-ids", "EMPORIX-NO-5XX", "AUTOMATIC with orderIds raises an unhandled error (500)"
)
UNDOCUMENTED_STATUS = mutant(
    "emporix-job-created-201", "EMPORIX-SCHEMA", "POST answers 201, which the spec does not document"
)
INVALID_ACCEPTED = mutant(
    "emporix-unknown-job-type-accepted", "EMPORIX-REJECTS-INVALID", "the body is not validated; any jobType is MANUAL"
)
ERROR_CODE_MISMATCH = mutant(
    "emporix-error-code-mismatch", "EMPORIX-ERROR-CODE", "an errorMessage's status is not the response's HTTP status"
)

# --- variants: the documents leave these open; the suite must pass each (warning only on what it `departs` from) ---

SUCCESS_DESPITE_FAILURE = variant(
    "emporix-job-success-with-failed-orders",
    "a job that ran every order ends SUCCESS even when some orders failed (jobOrderStatus carries the failure)",
    requirements=("EMPORIX-JOB-STATUS-MIXED", "EMPORIX-MANUAL-UNKNOWN-ORDER", "EMPORIX-JOB-STATUS"),
    departs=("EMPORIX-JOB-STATUS-MIXED",),
)
AUTOMATIC_ANY_EVENT = variant(
    "emporix-automatic-any-event-ever",
    "AUTOMATIC selects every order that ever had a packing event, also those recalculated since",
    requirements=("EMPORIX-AUTOMATIC-EVENTS", "EMPORIX-AUTOMATIC-SINCE-RECALCULATION"),
    departs=("EMPORIX-AUTOMATIC-SINCE-RECALCULATION",),
)
AUTOMATIC_SELECTS_NONE = variant(
    "emporix-automatic-selects-none",
    "AUTOMATIC finds no order needing recalculation from packing events alone: its jobs are empty",
    requirements=("EMPORIX-AUTOMATIC-EVENTS", "EMPORIX-AUTOMATIC-SINCE-RECALCULATION", "EMPORIX-JOB-LIFECYCLE"),
    departs=("EMPORIX-AUTOMATIC-EVENTS",),
)
FINISHED_AT_WHILE_RUNNING = variant(
    "emporix-finished-at-while-running",
    "an IN_PROGRESS job already carries finishedAt (equal to startedAt, as in the vendor's example)",
    requirements=("EMPORIX-JOB-PROGRESS", "EMPORIX-JOB-LIFECYCLE", "EMPORIX-JOB-SCHEMA"),
    departs=("EMPORIX-JOB-PROGRESS",),
)
FINISHED_AT_NULL = variant(
    "emporix-finished-at-null-while-running",
    "an IN_PROGRESS job carries finishedAt: null instead of leaving it out",
    requirements=("EMPORIX-JOB-PROGRESS", "EMPORIX-JOB-LIFECYCLE", "EMPORIX-JOB-SCHEMA", "EMPORIX-SCHEMA"),
)
MANUAL_WITHOUT_IDS = variant(
    "emporix-manual-without-ids-empty-job",
    "MANUAL without orderIds (or with an empty list) is accepted as an empty job that ends SUCCESS",
    requirements=("EMPORIX-MANUAL-REQUIRES-IDS", "EMPORIX-SCHEMA", "EMPORIX-REJECTS-INVALID"),
    departs=("EMPORIX-MANUAL-REQUIRES-IDS",),
)
UNKNOWN_ORDER_REFUSED = variant(
    "emporix-unknown-order-refused",
    "a MANUAL request naming an order the tenant does not have is refused as a whole with 400",
    requirements=("EMPORIX-MANUAL-UNKNOWN-ORDER", "EMPORIX-SCHEMA", "EMPORIX-REJECTS-INVALID"),
    departs=("EMPORIX-MANUAL-UNKNOWN-ORDER",),
)
DUPLICATES_LISTED = variant(
    "emporix-duplicates-listed-twice",
    "a repeated orderId is recalculated and listed as often as the request names it",
    requirements=("EMPORIX-MANUAL-EXACT", "EMPORIX-MANUAL-DUPLICATES"),
    departs=("EMPORIX-MANUAL-DUPLICATES",),
)
NO_CONFLICT = variant(
    "emporix-no-conflict-queued",
    "409 is never used: a job naming an order of a running job is accepted and queued",
    requirements=("EMPORIX-CONFLICT-409", "EMPORIX-AUTOMATIC-EVENTS", "EMPORIX-SCHEMA"),
    departs=("EMPORIX-CONFLICT-409",),
)
TENANT_FIRST = variant(
    "emporix-tenant-checked-before-syntax",
    "the token's tenant is compared with the path before the path's syntax: a malformed tenant is 403, not 400/404",
    requirements=("EMPORIX-TENANT-PATTERN", "EMPORIX-CHECK-ORDER", "EMPORIX-SCHEMA", "EMPORIX-ERROR-BODY"),
    departs=("EMPORIX-CHECK-ORDER",),
)
BODY_FIRST = variant(
    "emporix-body-checked-before-token",
    "a job request's body is validated before its token: no token and an unknown jobType is 400, not 401",
    requirements=("EMPORIX-CHECK-ORDER", "EMPORIX-AUTH-401", "EMPORIX-ERROR-BODY"),
    departs=("EMPORIX-CHECK-ORDER",),
)
MALFORMED_PATH_400 = variant(
    "emporix-malformed-path-get-400",
    "GET of a job with a malformed tenant or jobId is 400 (bean validation), not 404",
    requirements=(
        "EMPORIX-JOBID-PATTERN",
        "EMPORIX-TENANT-PATTERN",
        "EMPORIX-CHECK-ORDER",
        "EMPORIX-SCHEMA",
        "EMPORIX-ERROR-BODY",
        "EMPORIX-NO-5XX",
    ),
)
ERROR_BODY_CURRENT = variant(
    "emporix-error-body-current",
    "errors use the vendor's current errorMessage {code, message, detailInfo}, not the v1 {status, type, message}",
    requirements=(
        "EMPORIX-ERROR-BODY",
        "EMPORIX-ERROR-CODE",
        "EMPORIX-UNKNOWN-JOB-404",
        "EMPORIX-MANUAL-REQUIRES-IDS",
        "EMPORIX-CONFLICT-409",
        "EMPORIX-SCHEMA",
    ),
)
EXPIRED_TOKEN_ERRORCODE = variant(
    "emporix-expired-token-errorcode",
    "an expired token's 401 is the vendor's AccessTokenExpiredExample (faultstring 'Access Token expired', errorcode "
    "keymanagement.service.access_token_expired), not oauth.v2.InvalidAccessToken",
    requirements=("EMPORIX-AUTH-EXPIRED", "EMPORIX-AUTH-401", "EMPORIX-ERROR-BODY", "EMPORIX-SCHEMA"),
)
MESSAGE_ON_FAILURE_ONLY = variant(
    "emporix-order-message-on-failure-only",
    "an order that was recalculated successfully carries no message; only failures explain themselves",
    requirements=("EMPORIX-ORDER-MESSAGE", "EMPORIX-JOB-STATUS", "EMPORIX-MANUAL-UNKNOWN-ORDER"),
    departs=("EMPORIX-ORDER-MESSAGE",),
)
LONG_JOBS = variant(
    "emporix-long-running-jobs",
    "a job stays IN_PROGRESS for about a second, not 100 ms",
    requirements=(
        "EMPORIX-JOB-LIFECYCLE",
        "EMPORIX-JOB-PROGRESS",
        "EMPORIX-CONFLICT-409",
        "EMPORIX-MANUAL-EXACT",
        "EMPORIX-AUTOMATIC-SINCE-RECALCULATION",
    ),
)
BEYOND_INFERRED_LIMITS = variant(
    "emporix-beyond-inferred-limits",
    "no limit the documents do not state on orderIds: empty ids, ids over 64 characters, lists over 1000 ids",
    requirements=("EMPORIX-REJECTS-INVALID", "EMPORIX-SCHEMA", "EMPORIX-NO-5XX", "EMPORIX-ERROR-BODY"),
    departs_inferred=("EMPORIX-REJECTS-INVALID",),
)

"""Deliberate faults of the Emporix pick-pack reference, each named after the requirement the suite must fail."""

from pickconform.reference.mutants import mutant

MANUAL_IGNORES_IDS = mutant(
    "emporix-manual-ignores-order-ids",
    "EMPORIX-MANUAL-EXACT",
    "MANUAL selects its orders from packing events, like AUTOMATIC",
)
DUPLICATES_LISTED = mutant(
    "emporix-duplicate-orders-listed-twice", "EMPORIX-MANUAL-EXACT", "a repeated orderId is recalculated twice"
)
MANUAL_WITHOUT_IDS = mutant(
    "emporix-manual-without-ids-accepted", "EMPORIX-MANUAL-REQUIRES-IDS", "MANUAL without orderIds creates an empty job"
)
UNKNOWN_ORDER_SUCCEEDS = mutant(
    "emporix-unknown-order-succeeds", "EMPORIX-MANUAL-UNKNOWN-ORDER", "an order the tenant lacks is reported SUCCESS"
)
AUTOMATIC_IGNORES_EVENTS = mutant(
    "emporix-automatic-ignores-events", "EMPORIX-AUTOMATIC-EVENTS", "AUTOMATIC recalculates every order of the tenant"
)
STUCK_IN_PROGRESS = mutant("emporix-job-stuck-in-progress", "EMPORIX-JOB-LIFECYCLE", "jobs never leave IN_PROGRESS")
SUCCESS_DESPITE_FAILURE = mutant(
    "emporix-job-success-despite-failures", "EMPORIX-JOB-STATUS", "a job with a FAILURE order ends SUCCESS"
)
LOWERCASE_STATUS = mutant(
    "emporix-job-status-lowercase", "EMPORIX-JOB-SCHEMA", "jobStatus is answered in lower case (in_progress, success)"
)
LONG_JOB_ID = mutant(
    "emporix-long-job-id", "EMPORIX-JOB-ID-FORMAT", "job ids are 32 hex characters, beyond the 16 GET accepts"
)
NO_CONFLICT = mutant(
    "emporix-no-conflict-check", "EMPORIX-CONFLICT-409", "orders of a running job are accepted into a second job"
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

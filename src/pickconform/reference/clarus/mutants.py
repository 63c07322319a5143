"""Deliberate faults of the Clarus reference, each named after the requirement the suite must fail."""

from pickconform.reference.mutants import mutant

EMPTY_IDS_WRONG_CODE = mutant("clarus-empty-ids-wrong-code", "CLARUS-ERR-36", "empty ids answered with error 37")
UNKNOWN_IDS_IGNORED = mutant(
    "clarus-unknown-ids-ignored", "CLARUS-ERR-37", "unknown ids are skipped and the rest processed with 200"
)
INSUFFICIENT_STOCK_ACCEPTED = mutant(
    "clarus-insufficient-stock-200", "CLARUS-ERR-39", "orders beyond the stock are accepted with 200"
)
PROCESS_TWICE = mutant("clarus-process-twice", "CLARUS-ERR-59", "an already processed order is processed again")
CONSOLIDATE_MIXED = mutant(
    "clarus-consolidate-mixed-pick-types", "CLARUS-ERR-318", "orders of different pick types are consolidated"
)
STATUS_PREREQ_IGNORED = mutant(
    "clarus-status-prerequisite-ignored", "CLARUS-PREREQ-STATUS", "DRAFT orders are processed like PENDING ones"
)
ONE_REFERENCE_FOR_ALL = mutant(
    "clarus-one-reference-for-all", "CLARUS-ONE-REF-PER-ORDER", "one process reference for all orders of a request"
)
STUCK_PENDING = mutant("clarus-stuck-pending", "CLARUS-POLL-TERMINAL", "pick processing requests stay pending")
STATUS_OUTSIDE_ENUM = mutant(
    "clarus-status-in-progress", "CLARUS-STATUS-ENUM", "a pending request reports status 'in_progress'"
)
GRAPHQL_SEED_SHAPE_ONLY = mutant(
    "clarus-graphql-seed-shape-only", "CLARUS-GQL-SHAPES", "pick_processing_requests { all } is not served"
)
RACY_ALLOCATION = mutant(
    "clarus-racy-allocation", "CLARUS-ALLOC-ONCE", "allocation checks and writes in separate transactions"
)
AUTH_NOT_ENFORCED = mutant("clarus-auth-not-enforced", "CLARUS-AUTH-401", "any bearer token, or none, is accepted")
SUBDOMAIN_IGNORED = mutant(
    "clarus-subdomain-ignored", "CLARUS-TENANT-ISOLATION", "orders are looked up without their tenant"
)
FLAT_RESPONSE = mutant(
    "clarus-flat-goods-out-response", "CLARUS-GO-JSONAPI", "goods-out creation answers a flat object, not JSON:API"
)
REQUIRED_NOT_ENFORCED = mutant(
    "clarus-required-attributes-ignored", "CLARUS-GO-REQUIRED", "missing required goods-out attributes are accepted"
)
ADDRESS_IN_ATTRIBUTES = mutant(
    "clarus-address-in-attributes", "CLARUS-GO-ADDRESS-REL", "an address in data.attributes is accepted"
)
LONG_REFERENCE = mutant("clarus-long-reference", "CLARUS-GO-REFERENCE-50", "references up to 255 characters accepted")
COUNTRY_NOT_CHECKED = mutant(
    "clarus-country-code-unchecked", "CLARUS-GO-COUNTRY-ALPHA2", "any country_code string is accepted"
)
CRASH_ON_BAD_IDS = mutant("clarus-crash-on-bad-ids", "CLARUS-NO-5XX", "non-integer ids raise an unhandled error (500)")
UNDOCUMENTED_STATUS = mutant(
    "clarus-undocumented-success-status", "CLARUS-SCHEMA", "process_picks_async answers 202 with a bare list"
)
INVALID_ACCEPTED = mutant(
    "clarus-wrong-types-accepted", "CLARUS-REJECTS-INVALID", "process requests are not validated against the schema"
)

"""Other behaviours of the Clarus reference: mutants break a documented point (the suite must fail them on their
requirement); variants read a point the documents leave open the other way (the suite must pass them, warning only
on the interpretations they depart from; specs/clarus/DECISIONS.md lists the decisions)."""

from pickconform.reference.mutants import mutant, variant

# --- mutants ---------------------------------------------------------------------------------------------------

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
NO_PROCESS_REFERENCES = mutant(
    "clarus-no-process-references", "CLARUS-PROCESS-REFERENCES", "accepted processing answers no process references"
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
AUTH_NOT_ENFORCED = mutant("clarus-auth-not-enforced", "CLARUS-AUTH-REQUIRED", "any bearer token, or none, is accepted")
SUBDOMAIN_OPTIONAL = mutant(
    "clarus-subdomain-optional", "CLARUS-SUBDOMAIN-REQUIRED", "without X-Clarus-Subdomain the token's tenant is used"
)
SUBDOMAIN_IGNORED = mutant(
    "clarus-subdomain-ignored", "CLARUS-TENANT-ISOLATION", "orders are looked up without their tenant"
)
FLAT_RESPONSE = mutant(
    "clarus-flat-goods-out-response", "CLARUS-GO-JSONAPI", "goods-out creation answers a flat object, not JSON:API"
)
REQUIRED_NOT_ENFORCED = mutant(
    "clarus-required-attributes-ignored", "CLARUS-GO-REQUIRED", "missing required goods-out attributes are accepted"
)
ADDRESS_RELATIONSHIP_REFUSED = mutant(
    "clarus-address-relationship-refused", "CLARUS-GO-ADDRESS-REL", "an address in data.relationships is refused"
)
LONG_REFERENCE = mutant("clarus-long-reference", "CLARUS-GO-REFERENCE-50", "references up to 255 characters accepted")
ALPHA3_ONLY = mutant(
    "clarus-country-alpha3-only", "CLARUS-GO-COUNTRY-ALPHA2", "only three-letter country codes are accepted"
)
COUNTRY_NOT_CHECKED = mutant(
    "clarus-country-code-unchecked", "CLARUS-GO-COUNTRY-REFUSED", "any country_code string is accepted"
)
CRASH_ON_BAD_IDS = mutant("clarus-crash-on-bad-ids", "CLARUS-NO-5XX", "non-integer ids raise an unhandled error (500)")
UNDOCUMENTED_STATUS = mutant(
    "clarus-undocumented-success-status", "CLARUS-SCHEMA", "process_picks_async answers 202 with a bare list"
)
INVALID_ACCEPTED = mutant(
    "clarus-wrong-types-accepted", "CLARUS-REJECTS-INVALID", "process requests are not validated against the schema"
)

# --- variants --------------------------------------------------------------------------------------------------

ERRORS_400 = variant(
    "clarus-errors-http-400",
    "every refusal of a body or of pick processing is HTTP 400, not 422",
    requirements=("CLARUS-ERR-36", "CLARUS-ERR-37", "CLARUS-GO-REQUIRED", "CLARUS-REJECTS-INVALID", "CLARUS-SCHEMA"),
)
ADDRESS_IN_ERRORS = variant(
    "clarus-address-in-errors",
    "a refused goods out's error detail quotes its delivery address (name and street): the detail text is undocumented",
    requirements=("CLARUS-GO-COUNTRY-REFUSED", "CLARUS-GO-REQUIRED"),
)
CODE_AS_NUMBER = variant(
    "clarus-error-code-number",
    'the error document\'s code is a JSON number (36), not a string ("36")',
    requirements=("CLARUS-ERR-36", "CLARUS-ERR-59", "CLARUS-ERR-318", "CLARUS-SCHEMA"),
)
CREATED_200 = variant(
    "clarus-goods-out-created-200",
    "goods-out creation answers 200, not 201",
    requirements=("CLARUS-GO-JSONAPI", "CLARUS-GO-ECHO", "CLARUS-SCHEMA", "CLARUS-REJECTS-INVALID"),
)
ALWAYS_PENDING = variant(
    "clarus-create-always-pending",
    "creation ignores goods_out_status_id: every new goods out is PENDING (no DRAFT can be made)",
    requirements=("CLARUS-PREREQ-STATUS", "CLARUS-GO-JSONAPI", "CLARUS-GO-ECHO"),
)
CREATED_DRAFT = variant(
    "clarus-goods-out-created-draft",
    "a goods out created without goods_out_status_id is DRAFT (1), not PENDING",
    requirements=("CLARUS-GO-JSONAPI", "CLARUS-GO-ECHO"),
    departs=("CLARUS-GO-ECHO",),
)
EMPTY_ORDER_COMPLETES = variant(
    "clarus-empty-order-completes",
    "the pick processing of a goods out without lines completes (an empty pick list), not failed",
    requirements=("CLARUS-POLL-TERMINAL", "CLARUS-STATUS-ENUM"),
)
LINES_REQUIRED = variant(
    "clarus-goods-out-requires-lines",
    "a goods out without lines is refused at creation (422), not created",
    requirements=("CLARUS-POLL-TERMINAL", "CLARUS-AUTH-REQUIRED", "CLARUS-GO-JSONAPI"),
)
EMPTY_ORDER_NOT_PROCESSABLE = variant(
    "clarus-empty-order-not-processable",
    "processing a goods out without lines is refused (422), not accepted with a failed pick list",
    requirements=("CLARUS-POLL-TERMINAL", "CLARUS-STATUS-ENUM"),
)
STATUS_ON_CREATE_REFUSED = variant(
    "clarus-status-on-create-refused",
    "goods_out_status_id is read-only: a creation that sends it is refused (422)",
    requirements=("CLARUS-PREREQ-STATUS", "CLARUS-GO-JSONAPI", "CLARUS-GO-ECHO"),
)
SLOW_PICK_LISTS = variant(
    "clarus-slow-pick-lists",
    "a pick processing request stays pending for about a second, not 100 ms",
    requirements=("CLARUS-POLL-TERMINAL", "CLARUS-STATUS-ENUM", "CLARUS-GQL-SHAPES", "CLARUS-SCHEMA"),
)
ONE_REFERENCE_PER_REQUEST = variant(
    "clarus-one-reference-per-request",
    "process_picks_async answers one process reference for all the orders of a request (the seed's example)",
    requirements=("CLARUS-PROCESS-REFERENCES", "CLARUS-ONE-REF-PER-ORDER", "CLARUS-POLL-TERMINAL"),
    departs=("CLARUS-ONE-REF-PER-ORDER",),
)
CONSOLIDATE_REFERENCE_PER_ORDER = variant(
    "clarus-consolidate-reference-per-order",
    "process_and_consolidate_picks answers a process reference per order of the consolidated pick list",
    requirements=("CLARUS-ERR-318", "CLARUS-CONSOLIDATE-ONE-REF"),
    departs=("CLARUS-CONSOLIDATE-ONE-REF",),
)
CONCURRENT_CONFLICT = variant(
    "clarus-concurrent-conflict-409",
    "a request meeting another in flight for the same order or stock is refused with 409 conflict, not 59/39",
    requirements=("CLARUS-ALLOC-ONCE", "CLARUS-ALLOC-ONCE-CODES"),
    departs=("CLARUS-ALLOC-ONCE-CODES",),
)
UNAUTHORIZED_403 = variant(
    "clarus-unauthorized-403",
    "a missing or invalid token is refused with 403, not 401",
    requirements=("CLARUS-AUTH-REQUIRED", "CLARUS-AUTH-401"),
    departs=("CLARUS-AUTH-401",),
)
MISSING_SUBDOMAIN_400 = variant(
    "clarus-missing-subdomain-400",
    "a request without X-Clarus-Subdomain is refused with 400, not 401",
    requirements=("CLARUS-SUBDOMAIN-REQUIRED", "CLARUS-AUTH-REQUIRED"),
)
OTHER_TENANT_NOT_FOUND = variant(
    "clarus-other-tenant-not-found",
    "processing another tenant's order is refused with 404 not_found, not error 37",
    requirements=("CLARUS-TENANT-ISOLATION", "CLARUS-TENANT-ISOLATION-37", "CLARUS-ERR-37"),
    departs=("CLARUS-TENANT-ISOLATION-37",),
)
DRAFT_OWN_CODE = variant(
    "clarus-draft-refused-own-code",
    "a DRAFT order is refused with its own code (goods_out_not_processable), not error 37",
    requirements=("CLARUS-PREREQ-STATUS",),
)
UNKNOWN_ATTRIBUTES_IGNORED = variant(
    "clarus-unknown-attributes-ignored",
    "attributes the resource does not have, `address` included, are ignored (the order is created without it)",
    requirements=("CLARUS-GO-ADDRESS-REL", "CLARUS-GO-ADDRESS-NOT-ATTRIBUTE"),
    departs=("CLARUS-GO-ADDRESS-NOT-ATTRIBUTE",),
)
COUNTRY_CASE_INSENSITIVE = variant(
    "clarus-country-code-case-insensitive",
    "a lower-case alpha-2 country code (gb) is accepted and stored upper-case",
    requirements=("CLARUS-GO-COUNTRY-ALPHA2", "CLARUS-GO-COUNTRY-REFUSED"),
    departs=("CLARUS-GO-COUNTRY-REFUSED",),
)
TENANT_STOCK_UNIT_TYPES = variant(
    "clarus-tenant-stock-unit-types",
    "the tenant's stock unit types are its own master data (4 and 7, not 1): a product of another one is refused",
    requirements=("CLARUS-GO-JSONAPI", "CLARUS-ERR-39", "CLARUS-POLL-TERMINAL"),
)

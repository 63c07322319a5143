"""Other behaviours of the Butler reference, switched on one at a time.

Mutants break a documented point and are named after the requirement the suite must fail. Variants read a point seed
004 leaves open the other way (specs/butler/DECISIONS.md): the suite must pass them, warning only on the
interpretations they name in `departs`.
"""

from pickconform.reference.mutants import mutant, variant

# --- mutants ----------------------------------------------------------------------------------------------------

CREATE_LINES_WITHOUT_IDS = mutant(
    "butler-create-lines-without-ids", "BUTLER-CREATE", "the created object's pick lines carry no ids"
)
EXTERNAL_ID_REQUIRED = mutant(
    "butler-external-id-required",
    "BUTLER-CREATE",
    "a create without externalServiceRequestId is refused with 400 (the vendor calls it optional)",
)
CRITICAL_REFUSED = mutant(
    "butler-critical-priority-refused", "BUTLER-ATTRIBUTES", "simple_priority critical is refused with 400"
)
FILTER_UNCHECKED = mutant(
    "butler-filter-unchecked", "BUTLER-REJECTS-INVALID", "malformed filter_parameters strings are accepted"
)
INVENTORY_NOT_BLOCKED = mutant(
    "butler-inventory-not-blocked", "BUTLER-FULFILLABLE", "fulfillable requests do not block their inventory"
)
UNFULFILLABLE_AS_FULFILLABLE = mutant(
    "butler-unfulfillable-as-fulfillable", "BUTLER-NOT-FULFILLABLE", "requests without inventory go fulfillable"
)
CANCEL_REFUSED_WHEN_FULFILLABLE = mutant(
    "butler-cancel-refused-when-fulfillable", "BUTLER-CANCEL-BEFORE-LOCK", "cancel fails once inventory is blocked"
)
CANCEL_AFTER_LOCK = mutant(
    "butler-cancel-after-lock", "BUTLER-CANCEL-LOCKED", "cancel is accepted in cancellation_locked and pick_started"
)
MODIFY_NOT_APPLIED = mutant(
    "butler-modify-not-applied", "BUTLER-MODIFY-BEFORE-LOCK", "modify reports success but changes nothing"
)
MODIFY_AFTER_LOCK = mutant(
    "butler-modify-after-lock", "BUTLER-MODIFY-LOCKED", "modify is accepted in cancellation_locked and pick_started"
)
NO_ORDER_MODIFICATION = mutant(
    "butler-no-order-modification", "BUTLER-ASYNC-OUTCOME", "a successful cancel or modify sends no order_modification"
)
UNKNOWN_CANCEL_SUCCEEDS = mutant(
    "butler-unknown-cancel-succeeds",
    "BUTLER-UNKNOWN-REQUEST",
    "a cancel or modify of an unknown pick request answers a transaction and an order_modification success",
)
FULFILLABLE_TO_COMPLETE = mutant(
    "butler-fulfillable-to-complete", "BUTLER-LIFECYCLE", "reaching the first rack reports complete, skipping states"
)
COMPLETE_MISSING_PICKS = mutant(
    "butler-complete-missing-picks", "BUTLER-COMPLETE", "the complete notification leaves out the last pick"
)
ITEM_MISSING_COMPLETES = mutant(
    "butler-item-missing-completes", "BUTLER-ABANDONED", "a request short of missing items ends complete"
)
ENVELOPE_CAMEL_CASE = mutant(
    "butler-envelope-camel-case", "BUTLER-NOTIFY-SCHEMA", "the envelope says notificationType, not notification_type"
)
CRASH_ON_UNKNOWN_REQUEST = mutant(
    "butler-crash-on-unknown-request", "BUTLER-NO-5XX", "cancel or modify of an unknown request raises (500)"
)
CREATED_AS_TEXT = mutant(
    "butler-created-as-text",
    "BUTLER-SCHEMA",
    "the created object is served as text/plain, not application/json (the seed's Content-Type)",
)

# --- variants: other readings of what seed 004 leaves open --------------------------------------------------------

UNKNOWN_REQUEST_ACCEPTED = variant(
    "butler-unknown-request-accepted",
    "a cancel or modify of an unknown pick request answers a transaction and an order_modification failure (not 400)",
    requirements=("BUTLER-UNKNOWN-REQUEST", "BUTLER-ASYNC-OUTCOME", "BUTLER-NO-5XX", "BUTLER-SCHEMA"),
)
TRANSACTION_ERRORS_422 = variant(
    "butler-transaction-errors-422",
    "a cancel or modify body of the wrong shape, or naming an unknown request, is refused with 422, not 400",
    requirements=("BUTLER-REJECTS-TRANSACTION", "BUTLER-UNKNOWN-REQUEST", "BUTLER-SCHEMA", "BUTLER-NO-5XX"),
    departs=("BUTLER-REJECTS-TRANSACTION",),
)
ERRORS_PLAIN_TEXT = variant(
    "butler-errors-plain-text",
    "refusals carry a text/plain message, not a JSON error document (the seed shows no error body)",
    requirements=("BUTLER-REJECTS-INVALID", "BUTLER-REJECTS-TRANSACTION", "BUTLER-SCHEMA"),
)
NO_BIN_COMPLETE = variant(
    "butler-no-bin-complete",
    "no bin_complete follows a complete pick request (no put wall in this warehouse)",
    requirements=("BUTLER-COMPLETE", "BUTLER-BIN-COMPLETE"),
    departs=("BUTLER-BIN-COMPLETE",),
)
MODIFY_REPLACES_ATTRIBUTES = variant(
    "butler-modify-replaces-attributes",
    "a modify's attributes replace the request's attributes instead of being merged into them",
    requirements=("BUTLER-MODIFY-BEFORE-LOCK",),
)
MODIFY_REALLOCATES = variant(
    "butler-modify-reallocates",
    "a successful modify of a created request allocates it at once (its order_information is fulfillable or "
    "not_fulfillable, not created)",
    requirements=("BUTLER-MODIFY-BEFORE-LOCK", "BUTLER-MODIFY-SAME-STATE"),
    departs=("BUTLER-MODIFY-SAME-STATE",),
)
CREATED_NOTIFIED = variant(
    "butler-created-notified",
    "creation is also notified: an order_information in state created precedes fulfillable / not_fulfillable",
    requirements=(
        "BUTLER-NOT-FULFILLABLE",
        "BUTLER-FULFILLABLE",
        "BUTLER-CANCEL-BEFORE-LOCK",
        "BUTLER-MODIFY-BEFORE-LOCK",
        "BUTLER-LIFECYCLE",
    ),
)
EXTRA_FIELDS = variant(
    "butler-extra-fields",
    "notifications carry fields the seed does not show (a timestamp in the envelope, a priority in the data)",
    requirements=("BUTLER-NOTIFY-SCHEMA", "BUTLER-NOT-FULFILLABLE", "BUTLER-CANCEL-BEFORE-LOCK"),
)
OUTCOME_WITHOUT_ID = variant(
    "butler-outcome-without-id",
    "an order_modification carries only its state, as the seed's sample shows it, not the transaction id",
    requirements=("BUTLER-ASYNC-OUTCOME", "BUTLER-CANCEL-BEFORE-LOCK", "BUTLER-MODIFY-LOCKED", "BUTLER-OUTCOME-ID"),
    departs=("BUTLER-OUTCOME-ID",),
)
NOTIFICATION_ID_PER_REQUEST = variant(
    "butler-notification-id-per-request",
    "all notifications about one pick request share one notification_id (as several of the seed's examples do)",
    requirements=("BUTLER-NOTIFY-UNIQUE-ID", "BUTLER-COMPLETE"),
    departs=("BUTLER-NOTIFY-UNIQUE-ID",),
)
INFORMATION_BEFORE_OUTCOME = variant(
    "butler-information-before-outcome",
    "the order_information of a successful cancel or modify is delivered before its order_modification",
    requirements=("BUTLER-CANCEL-BEFORE-LOCK", "BUTLER-MODIFY-BEFORE-LOCK", "BUTLER-NOTIFY-ORDER"),
    departs=("BUTLER-NOTIFY-ORDER",),
)
NO_RETRY = variant(
    "butler-no-retry",
    "a notification the callback does not acknowledge is not delivered again",
    requirements=("BUTLER-NOTIFY-RETRY",),
    departs=("BUTLER-NOTIFY-RETRY",),
)
FEW_SLOW_RETRIES = variant(
    "butler-few-slow-retries",
    "an unacknowledged notification is retried once, after half a second, and every delivery waits 50 ms",
    requirements=("BUTLER-NOTIFY-RETRY", "BUTLER-NOT-FULFILLABLE", "BUTLER-CANCEL-BEFORE-LOCK"),
)
NULL_OPTIONAL = variant(
    "butler-null-optional",
    'null for an optional field is read as absent, not refused (e.g. "order_options": null)',
    requirements=("BUTLER-REJECTS-INVALID", "BUTLER-REJECTS-TRANSACTION", "BUTLER-SCHEMA", "BUTLER-NO-5XX"),
    departs=("BUTLER-REJECTS-TRANSACTION",),
    departs_inferred=("BUTLER-REJECTS-INVALID",),
)
BEYOND_INFERRED_LIMITS = variant(
    "butler-beyond-inferred-limits",
    "no limit the documents do not state: ids over 100 characters, empty strings, empty filter and container lists",
    requirements=("BUTLER-REJECTS-INVALID", "BUTLER-REJECTS-TRANSACTION", "BUTLER-SCHEMA", "BUTLER-NO-5XX"),
    departs=("BUTLER-REJECTS-TRANSACTION",),
    departs_inferred=("BUTLER-REJECTS-INVALID", "BUTLER-SCHEMA"),
)

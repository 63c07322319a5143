"""Deliberate faults of the Butler reference, each named after the requirement the suite must fail."""

from pickconform.reference.mutants import mutant

CREATE_LINES_WITHOUT_IDS = mutant(
    "butler-create-lines-without-ids", "BUTLER-CREATE", "the created object's pick lines carry no ids"
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
REPEATED_NOTIFICATION_ID = mutant(
    "butler-repeated-notification-id", "BUTLER-NOTIFY-UNIQUE-ID", "all notifications of a request share one id"
)
NO_RETRY = mutant("butler-no-retry", "BUTLER-NOTIFY-RETRY", "a notification refused with 500 is not delivered again")
INFORMATION_BEFORE_OUTCOME = mutant(
    "butler-information-before-outcome",
    "BUTLER-NOTIFY-ORDER",
    "the order_information of a successful cancel or modify precedes its order_modification",
)
CRASH_ON_UNKNOWN_REQUEST = mutant(
    "butler-crash-on-unknown-request", "BUTLER-NO-5XX", "cancel or modify of an unknown request raises (500)"
)
PLAIN_TEXT_ERRORS = mutant("butler-plain-text-errors", "BUTLER-SCHEMA", "400 answers are text/plain, not JSON")

"""Card payments: a module with its own logger, created when it is imported."""

import logging

log = logging.getLogger(__name__)

DECLINE_ABOVE_CENTS = 50_000  # stands in for the bank's answer


def charge(order: int, cents: int) -> bool:
    """Charge CENTS for ORDER; log and return False when the card is declined."""
    if cents <= 0:
        raise ValueError(f"order #{order}: amount must be positive, got {cents}")
    if cents > DECLINE_ABOVE_CENTS:
        log.warning("order #%d: card declined for %d cents", order, cents)
        return False
    return True

"""Card payments, with a logger made when the module is imported."""

import logging

log = logging.getLogger(__name__)


def charge(order: int, cents: int) -> bool:
    if cents <= 0:
        raise ValueError(f"order #{order}: amount must be positive, got {cents}")
    if cents > 50_000:  # stands in for the bank's answer
        log.warning("order #%d: card declined for %d cents", order, cents)
        return False
    return True

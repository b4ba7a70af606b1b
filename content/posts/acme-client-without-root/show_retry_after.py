"""How long the client waits between polls for a few Retry-After headers."""
import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from acme_client import retry_after

in_30_s = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
for value in [None, "0", "3", format_datetime(in_30_s, usegmt=True), "soon"]:
    headers = {} if value is None else {"Retry-After": value}
    print(f"{'(none)' if value is None else value:>29}: wait {math.ceil(retry_after(headers))} s")

"""The client's opener returns a redirect as an error instead of following it (lab only)."""
import sys
import urllib.error
import urllib.request

import acme_client

try:
    urllib.request.build_opener(acme_client.NoRedirects).open(f"http://127.0.0.1:{sys.argv[1]}/x", timeout=5)
except urllib.error.HTTPError as error:
    sys.exit(0 if error.code == 301 else f"HTTP {error.code}")
sys.exit("the redirect was followed")

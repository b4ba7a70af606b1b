#!/bin/bash
# Scan only the lines each commit of BASE..HEAD adds (no context, no removed
# lines); a finding reads COMMIT:N, the Nth line added. Merges are skipped.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: scan_added.sh BASE..HEAD" >&2; exit 2; }
scanner="$(cd "$(dirname "$0")" && pwd)/no_secrets.py"
commits=$(git rev-list --no-merges --abbrev-commit "$1")
[ -n "$commits" ] || exit 0
added=$(mktemp -d)
trap 'rm -rf "$added"' EXIT
for commit in $commits; do
    git show -U0 --no-color --no-ext-diff --no-textconv --format= "$commit" |
        sed -n '/^+++ /d; s/^+//p' > "$added/$commit"
done
cd "$added" && python3 "$scanner" $commits

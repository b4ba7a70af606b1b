#!/bin/bash
# Scan the lines each commit of BASE..HEAD adds, merges excepted; a finding
# reads COMMIT/PATH:N, the Nth line COMMIT adds to PATH. No argument (as a
# pre-push hook): PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, or HEAD's history.
# pre-commit sets them for the first pushed branch only, and not if that
# branch brings a root commit.
set -euo pipefail
range=${1:-${PRE_COMMIT_FROM_REF:+$PRE_COMMIT_FROM_REF..}${PRE_COMMIT_TO_REF:-HEAD}}
scanner="$(cd "$(dirname "$0")" && pwd)/no_secrets.py"
if ! commits=$(git rev-list --no-merges --abbrev-commit "$range" 2>/dev/null); then
    echo "scan_added.sh: cannot list the commits of $range" >&2
    exit 2
fi
added=$(mktemp -d)
trap 'rm -rf "$added"' EXIT
for commit in $commits; do
    git diff-tree -r -z --root --no-commit-id --name-only --diff-filter=d "$commit" |
    while IFS= read -r -d '' path; do
        mkdir -p "$added/$commit/$(dirname "$path")"
        git show -U0 --no-color --no-ext-diff --no-textconv --format= "$commit" -- ":(literal)$path" |
            sed -n '/^+++ /d; s/^+//p' > "$added/$commit/$path"
    done
done
cd "$added" && mapfile -d '' found < <(find . -type f -printf '%P\0' | sort -z)
[ ${#found[@]} -eq 0 ] || SCANNING_COMMITS=1 python3 "$scanner" "${found[@]}"

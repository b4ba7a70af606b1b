#!/bin/sh
# Refuse a commit whose staged change adds a do-not-commit marker.
# (The brackets keep this script from matching itself.)
changes=$(git -c core.quotePath=false diff --cached --no-color --no-ext-diff --no-textconv \
    --src-prefix=a/ --dst-prefix=b/ --unified=0 --inter-hunk-context=0 --diff-filter=d) || exit 1
printf '%s\n' "$changes" | awk '
    /^diff --git / { header = 1; next }
    header && /^\+\+\+ / {                      # "+++ b/path"
        file = substr($0, 5)
        sub(/\t$/, "", file)                       # after a name with spaces
        file = substr(file, 3); next
    }
    /^@@ / { header = 0; split($3, new, ","); line = substr(new[1], 2); next }
    header { next }
    /^\+/ {
        if ($0 ~ /DO[ ]NOT[ ]COMMIT/) { print file ":" line ":" substr($0, 2); found = 1 }
        line++
    }
    END { exit found }
'
status=$?
if [ "$status" -ne 0 ]; then
    echo "hand-hook: the lines above add a do-not-commit marker; commit refused." >&2
fi
exit "$status"

#!/bin/sh
# A pre-commit hook written by hand: refuse a commit that adds a line with a
# do-not-commit marker. Git runs it before it writes the commit; any exit
# status other than 0 cancels the commit.
#
# `git diff --cached` is the change being committed: the staged content
# against the last commit (against nothing, for the first one). Only added
# lines count, so a marker that is already in the history does not block
# every later commit. The pattern is spelled with brackets so that this
# script does not match itself when it is committed.
changes=$(git -c core.quotePath=false diff --cached --no-color --no-ext-diff \
    --unified=0 --diff-filter=d) || exit 1
printf '%s\n' "$changes" | awk '
    /^diff --git / { header = 1; next }
    header && /^\+\+\+ / { file = substr($0, 7); next }   # "+++ b/path"
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

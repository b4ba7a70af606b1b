#!/bin/sh
# A pre-commit hook written by hand. Git runs it before it writes a commit;
# any exit status other than 0 cancels the commit.

# `--cached` searches the staged content (what would be committed), not the
# files in the working tree.
if git grep --cached -n -I 'DO NOT COMMIT'; then
    echo "hand-hook: the lines above are marked DO NOT COMMIT; commit refused." >&2
    exit 1
fi
exit 0

"""The sandbox: everything a replay of a post's runs needs, in the standard library only.

The blog's engine runs samples through it when it builds, freezes and tests, and every
post's reproduce archive ships it beside ``verify.py``, so a reader's replay follows
exactly the rules the blog's own did.  Python 3.9 or later, no third-party imports.

- ``settings``: the limits and placeholders a replay uses (carried in the manifest);
- ``runs``: what a run is (RunSpec), what it gave (RunResult) and how it fails (RunFailure);
- ``session``: one session's folder, environment and processes, as a context manager,
  and the replay of recorded sessions (``verify.py``'s);
- ``output``: collecting what a command prints, capped, with a deadline;
- ``processes``, ``cgroups``, ``netns``: finding, capping, isolating and killing processes;
- ``lab``, ``jail``, ``userns``: a post's Debian lab, built once, and sessions inside it;
- ``host``: what a replay on the reader's own machine needs (``verify.py --host``);
- ``compare``: masks and the differences between a recorded and a fresh result (its
  output, exit status and figure).
"""

from .compare import apply_masks, differences, figure_differences, figure_digest, run_differences
from .runs import RunFailure, RunResult, RunSpec
from .session import Session
from .settings import Settings

__all__ = ["RunFailure", "RunResult", "RunSpec", "Session", "Settings", "apply_masks", "differences",
           "figure_differences", "figure_digest", "run_differences"]

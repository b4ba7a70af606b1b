"""Publishing: the checks a built site must pass, and the deploys (rsync releases, GitHub Pages)."""

"""Run one `run:` step of a GitHub Actions workflow here, as the runner would.

usage: python ci_step.py WORKFLOW_FILE "STEP NAME"

The lab has no GitHub runner: the checkout is a `git clone` and the Python
environment is the one on PATH. The command itself is read from the workflow,
so what runs is exactly what CI runs. Exit status: the step's own.
"""

import subprocess
import sys

import yaml


def find_step(workflow: dict, name: str) -> str:
    for job in workflow.get("jobs", {}).values():
        for step in job.get("steps", []):
            if step.get("name") == name and "run" in step:
                return step["run"]
    raise LookupError(f"no step named {name!r} with a run: command")


def main(path: str, name: str) -> int:
    with open(path, encoding="utf-8") as f:
        command = find_step(yaml.safe_load(f), name)
    print(f"Run {command}", flush=True)
    return subprocess.run(["bash", "-e", "-c", command]).returncode


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    try:
        sys.exit(main(sys.argv[1], sys.argv[2]))
    except (OSError, LookupError, yaml.YAMLError) as error:
        sys.exit(f"ci_step: {error}")

"""Lab environments: a pinned Debian root filesystem per post, built once with mmdebstrap.

A ``Lab`` is what a post declares: a Debian suite, the Debian packages its samples need
and the Python requirements they import (pinned, installed into a venv at
``/opt/venv`` inside).  ``build_lab`` builds it into a cache folder, or reuses the one
already built from the same declaration by the same user; sessions never change it
(each writes on a layer of its own, see ``jail``).

mmdebstrap runs in root mode inside a user namespace with the sessions' id map
(``userns``), so the files of a lab built by a user belong to that user's ids and a
session sees them owned as they were installed.  A built lab keeps what it holds:
``packages.txt`` (``dpkg-query`` of every package) and ``pip-freeze.txt``.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shlex
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .userns import (
    LabError,
    bash_gated,
    map_signature,
    mapping_tools,
    remove_tree,
    require_tools,
    spawn_mapped,
    tool,
)

FORMAT = 1  # bump when the layout of a built lab changes
DEFAULT_SUITE = "trixie"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
VENV = "/opt/venv"
# In every lab: the session agent runs on python3; `python` as samples write it.
BASE_PACKAGES = ("bash", "ca-certificates", "iproute2", "procps", "python-is-python3", "python3")
SUITES = {"bookworm": "12", "trixie": "13", "forky": "14", "sid": "unstable"}


@dataclass(frozen=True)
class Lab:
    """A lab environment as declared: what its root filesystem holds."""

    suite: str = DEFAULT_SUITE
    packages: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()  # pinned: name==version
    mirror: str = DEFAULT_MIRROR

    @property
    def all_packages(self) -> list[str]:
        extra = ("python3-venv",) if self.requirements else ()
        return sorted({*BASE_PACKAGES, *self.packages, *extra})

    @property
    def digest(self) -> str:
        """Of the declaration: records and keys depend on it, not on the host."""
        blob = json.dumps({"format": FORMAT, "suite": self.suite, "packages": self.all_packages,
                           "requirements": sorted(self.requirements), "mirror": self.mirror},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def release(self) -> str:
        """``Debian 13 (trixie)``."""
        number = SUITES.get(self.suite)
        return f"Debian {number} ({self.suite})" if number else f"Debian {self.suite}"

    def as_dict(self) -> dict:
        data = asdict(self)
        return {name: list(value) if isinstance(value, tuple) else value for name, value in data.items()}

    @classmethod
    def from_dict(cls, data: dict) -> Lab:
        return cls(data.get("suite", DEFAULT_SUITE), tuple(data.get("packages", ())),
                   tuple(data.get("requirements", ())), data.get("mirror", DEFAULT_MIRROR))


@dataclass
class BuiltLab:
    """A lab on disk: its root filesystem and what was installed in it."""

    lab: Lab
    folder: Path
    info: dict = field(default_factory=dict)

    @property
    def rootfs(self) -> Path:
        return self.folder / "rootfs"

    @property
    def has_venv(self) -> bool:
        return bool(self.lab.requirements)

    def installed(self) -> dict[str, str]:
        """Debian package -> version, as dpkg listed them when the lab was built."""
        versions = {}
        path = self.folder / "packages.txt"
        for line in path.read_text().splitlines() if path.is_file() else ():
            name, _, version = line.partition("=")
            versions[name.split(":")[0]] = version
        return versions

    def download_bytes(self) -> int:
        """What its Debian packages weigh as downloaded (from the cache's .deb files)."""
        downloads = self.folder.parent / "_apt"
        total = 0
        for name, version in self.installed().items():
            for arch in (self.info.get("arch", ""), "all"):
                deb = downloads / f"{name}_{version.replace(':', '%3a')}_{arch}.deb"
                if deb.is_file():
                    total += deb.stat().st_size
                    break
        return total

    def debian_version(self) -> str:
        try:
            return (self.rootfs / "etc/debian_version").read_text().strip()
        except OSError:
            return ""

    def python_version(self) -> str:
        """The lab's python3 version, e.g. ``3.13.5`` (from its package)."""
        installed = self.installed()
        minor = next((name[len("python"):] for name in sorted(installed)
                      if name.startswith("python3.") and name[len("python"):].replace(".", "").isdigit()), "")
        version = installed.get(f"python{minor}", "") if minor else ""
        return version.split("-")[0] if version else minor

    def package_of(self, executable: str) -> str | None:
        """The Debian package whose files include ``executable`` (a name on PATH)."""
        owners = self._owners()
        for folder in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
            path = f"{folder}/{executable}"
            # A name no package owns may be a link Debian's alternatives made (/usr/bin/php
            # -> /etc/alternatives/php -> /usr/bin/php8.2): follow it inside the lab.
            for _ in range(8):
                if path in owners:
                    return owners[path]
                try:
                    target = os.readlink(self.rootfs / path.lstrip("/"))
                except OSError:
                    break
                path = os.path.normpath(target if target.startswith("/")
                                        else os.path.join(os.path.dirname(path), target))
        return None

    def _owners(self) -> dict[str, str]:
        if not hasattr(self, "_owner_map"):
            owners: dict[str, str] = {}
            info = self.rootfs / "var/lib/dpkg/info"
            for listing in sorted(info.glob("*.list")) if info.is_dir() else ():
                package = listing.name[:-5].split(":")[0]
                for line in listing.read_text(errors="replace").splitlines():
                    if "/bin/" in line or "/sbin/" in line:
                        owners.setdefault(line, package)
            self._owner_map = owners
        return self._owner_map

    def tool_versions(self, tools: tuple[str, ...]) -> dict[str, str]:
        """Each tool's package and version in the lab (``gdb 16.3-1``), else ``unknown``."""
        installed = self.installed()
        versions = {}
        for name in tools:
            package = self.package_of(name)
            versions[name] = f"{package} {installed[package]}" if package in installed else "unknown"
        return versions

    def has_executable(self, name: str, path: str) -> bool:
        """Whether ``name`` is on the lab's ``path`` (symlinks resolved inside the lab)."""
        for folder in path.split(":"):
            candidate = self.rootfs / folder.lstrip("/") / name
            if os.path.lexists(candidate):
                return True
        return False


def what_a_build_fetches(lab: Lab, download_bytes: int, cache: Path) -> str:
    """What building ``lab`` downloads, said before it starts."""
    python = f", {len(lab.requirements)} Python requirements from PyPI" if lab.requirements else ""
    download = f", about {download_bytes / 1024**2:.0f} MiB to download" if download_bytes else ""
    return (f"the post's lab is {lab.release}: {len(lab.all_packages)} Debian packages from "
            f"{lab.mirror}{python}{download}; building it once into {cache}")


def default_cache() -> Path:
    """Where labs are kept: $SAMPLES_LAB_CACHE, else root's under /var/cache and a
    user's under ~/.cache."""
    if os.environ.get("SAMPLES_LAB_CACHE"):
        return Path(os.environ["SAMPLES_LAB_CACHE"])
    if os.getuid() == 0:
        return Path("/var/cache/code-that-runs/labs")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "code-that-runs" / "labs"


@functools.cache
def architecture() -> str:
    try:
        return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        machine = os.uname().machine
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def folder_name(lab: Lab) -> str:
    """The cache folder of ``lab`` for this user (the id map changes who owns its files)."""
    ids = hashlib.sha256(map_signature().encode()).hexdigest()[:6]
    return f"{lab.suite}-{architecture()}-{lab.digest}-{ids}"


def find_lab(lab: Lab, cache: Path) -> BuiltLab | None:
    """The built lab of ``lab`` in ``cache``, or None."""
    folder = Path(cache) / folder_name(lab)
    if (folder / "info.json").is_file():
        return BuiltLab(lab, folder, json.loads((folder / "info.json").read_text()))
    return None


def built_labs(cache: Path) -> list[BuiltLab]:
    """Every lab built in ``cache``."""
    found = []
    for info in sorted(Path(cache).glob("*/info.json")):
        data = json.loads(info.read_text())
        found.append(BuiltLab(Lab.from_dict(data.get("lab", {})), info.parent, data))
    return found


def remove_lab(built: BuiltLab) -> None:
    remove_tree(built.folder)


def build_lab(lab: Lab, cache: Path, log: Callable[[str], object] = print) -> BuiltLab:
    """The built lab of ``lab``: reused from ``cache``, or built there first (under a
    lock, so concurrent builds of one lab build it once); progress goes to ``log``."""
    cache = Path(cache).absolute()
    cache.mkdir(parents=True, exist_ok=True)
    found = find_lab(lab, cache)
    if found is not None:
        return found
    require_tools("mmdebstrap", *mapping_tools())
    name = folder_name(lab)
    with open(cache / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = find_lab(lab, cache)
        if found is not None:
            return found
        return _build(lab, cache, name, log)


def _build(lab: Lab, cache: Path, name: str, log: Callable[[str], object]) -> BuiltLab:
    partial = cache / f"{name}.partial"
    remove_tree(partial)
    partial.mkdir()
    (partial / "mnt").mkdir()  # where each session mounts its own layer, privately
    downloads = cache / "_apt"  # .deb files, shared by every lab of this cache
    downloads.mkdir(exist_ok=True)
    debs_before = {deb.name for deb in downloads.glob("*.deb")}
    packages = lab.all_packages
    log(f"lab {lab.release}: building {name} with {len(packages)} packages "
        f"({' '.join(packages)}) and {len(lab.requirements)} Python requirements; "
        f"{len(debs_before)} .deb files already downloaded")
    hook = partial / "customize.sh"
    hook.write_text(_customize_script(lab, partial))
    if lab.requirements:
        (partial / "requirements.txt").write_text("\n".join(sorted(lab.requirements)) + "\n")
    argv = [tool("mmdebstrap"), "--mode=root", "--variant=apt", f"--include={','.join(packages)}",
            "--skip=essential/unlink", "--skip=chroot/mount/sys",
            '--setup-hook=mkdir -p "$1/var/cache/apt/archives" && '
            f'mount --bind {shlex.quote(str(downloads))} "$1/var/cache/apt/archives"',
            f'--customize-hook=bash {shlex.quote(str(hook))} "$1"',
            lab.suite, str(partial / "rootfs"), lab.mirror]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "HOME": "/root"}
    env.update({key: value for key, value in os.environ.items()
                if key.lower() in ("http_proxy", "https_proxy", "no_proxy")})
    started = time.monotonic()
    tail: list[str] = []
    with open(partial / "build.log", "wb") as build_log:
        process = spawn_mapped(bash_gated('exec "$@"', argv), pid_namespace=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env)
        assert process.stdout is not None
        for raw in process.stdout:
            build_log.write(raw)
            line = raw.decode(errors="replace").rstrip()
            tail = (tail + [line])[-20:]
            if line.startswith(("I: downloading", "I: extracting", "I: installing remaining",
                                "E:", "[lab]")):
                log(f"lab {name}: {time.monotonic() - started:5.1f} s  {line}")
        status = process.wait()
    seconds = round(time.monotonic() - started, 1)
    if status != 0:
        raise LabError(f"mmdebstrap failed with status {status} after {seconds} s; it ended with:\n"
                       + "\n".join(tail), f"read {partial / 'build.log'}; check the package names "
                       "and requirements the post declares")
    debs_after = {deb.name for deb in downloads.glob("*.deb")}
    new = debs_after - debs_before
    downloaded = sum((downloads / deb).stat().st_size for deb in new)
    info = {"format": FORMAT, "name": name, "lab": lab.as_dict(), "arch": architecture(),
            "ids": map_signature(), "seconds": seconds, "downloaded_bytes": downloaded,
            "downloaded_files": len(new), "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (partial / "info.json").write_text(json.dumps(info, indent=1) + "\n")
    final = cache / name
    os.rename(partial, final)
    log(f"lab {name}: built in {seconds} s, {len(new)} packages downloaded "
        f"({downloaded / 1024**2:.0f} MiB)")
    return BuiltLab(lab, final, info)


def _customize_script(lab: Lab, out: Path) -> str:
    """mmdebstrap's last hook: record the packages; make the venv with the requirements."""
    quote = shlex.quote
    lines = ["set -e", 'R="$1"', 'umount "$R/var/cache/apt/archives"',
             'rm -f "$R/etc/hostname"',
             f"chroot \"$R\" dpkg-query -W -f '${{Package}}=${{Version}}\\n' > "
             f"{quote(str(out / 'packages.txt'))}"]
    if lab.requirements:
        # The host's CA bundle: it also holds the CA of a TLS-intercepting proxy, if any.
        bundle = next((path for path in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"),
                                          "/etc/ssl/certs/ca-certificates.crt")
                       if path and os.path.isfile(path)), None)
        clean = ("env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "
                 "PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1"
                 + (" PIP_CERT=/tmp/host-ca.crt" if bundle else ""))
        lines += [
            f'echo "[lab] python3 -m venv {VENV}; pip install {len(lab.requirements)} requirements"',
            *([f'cp {quote(bundle)} "$R/tmp/host-ca.crt"'] if bundle else []),
            f'cp {quote(str(out / "requirements.txt"))} "$R/tmp/requirements.txt"',
            f'chroot "$R" {clean} python3 -m venv {VENV}',
            f'chroot "$R" {clean} {VENV}/bin/pip install --no-input -q -r /tmp/requirements.txt',
            f'chroot "$R" {VENV}/bin/pip freeze --all > {quote(str(out / "pip-freeze.txt"))}',
            'rm -f "$R/tmp/requirements.txt" "$R/tmp/host-ca.crt"',
            'echo "[lab] pip done"',
        ]
    lines.append('rm -rf "$R/var/lib/apt/lists"/*_Packages "$R/var/cache/apt"/*.bin')
    return "\n".join(lines) + "\n"

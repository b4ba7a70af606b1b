"""Which Debian package of a lab provides a tool: read from the lab's dpkg lists, following
the links Debian's alternatives make (no package owns /usr/bin/php itself)."""

from __future__ import annotations

import os

from sandbox.lab import BuiltLab, Lab


def lab_with(tmp_path, lists: dict[str, list[str]], links: dict[str, str]) -> BuiltLab:
    rootfs = tmp_path / "rootfs"
    (rootfs / "var/lib/dpkg/info").mkdir(parents=True)
    for package, paths in lists.items():
        (rootfs / f"var/lib/dpkg/info/{package}:amd64.list").write_text("\n".join(paths) + "\n")
    for link, target in links.items():
        (rootfs / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, rootfs / link)
    (tmp_path / "packages.txt").write_text("php8.2-cli=8.2.32-1~deb12u1\ngdb=13.1-3\n")
    return BuiltLab(Lab(), tmp_path)


def test_a_tool_behind_an_alternatives_link_is_named_by_its_package(tmp_path):
    lab = lab_with(tmp_path, {"php8.2-cli": ["/usr/bin/php8.2"], "gdb": ["/usr/bin/gdb"]},
                   {"usr/bin/php": "/etc/alternatives/php", "etc/alternatives/php": "/usr/bin/php8.2"})
    assert lab.tool_versions(("php", "gdb", "nothing")) == {
        "php": "php8.2-cli 8.2.32-1~deb12u1", "gdb": "gdb 13.1-3", "nothing": "unknown"}


def test_a_relative_link_is_followed_from_its_own_folder(tmp_path):
    # /usr/sbin/gdb-debug -> ../bin/gdb, owned by gdb; a link to itself owns nothing
    lab = lab_with(tmp_path, {"gdb": ["/usr/bin/gdb"]},
                   {"usr/sbin/gdb-debug": "../bin/gdb", "usr/bin/loop": "loop"})
    assert (lab.package_of("gdb-debug"), lab.package_of("loop")) == ("gdb", None)

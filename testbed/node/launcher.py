"""Turn a process started by `ip netns exec <pod netns>` into a container, then exec its program.

Run as ``ip netns exec <netns> python -m testbed.node.launcher <spec.json>``. `ip netns
exec` has already given us the pod's network namespace and a fresh mount namespace (with
its mounts made slaves of the host's, so nothing here leaks back) and has bind-mounted
/etc/netns/<netns>/hosts and resolv.conf over /etc. This adds what a container runtime
would: its own UTS namespace with the pod's hostname, the image's private folders, the
volumes at their mount paths, the working directory, the environment, and the user
(testbed/node/identity.py): for a container that is not root, the first folder on the way
to the catalog's programs that this user may not enter (/root, where the Python may live)
is covered with an empty tmpfs and only those programs are bound back, as a container
would not see the host's /root either; then groups, gid and uid are set and, when asked,
no_new_privs. The PID stays the same through every exec, so the agent's PID is the
container's main process.

Kept to the standard library: it runs once per container start.
"""

import ctypes
import json
import os
import socket
import sys

CLONE_NEWUTS = 0x04000000
MS_RDONLY = 0x1
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, "%s: %s" % (what, os.strerror(errno)))


def bind(source_fd, target, read_only=False):
    source = "/proc/self/fd/%d" % source_fd
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        os.makedirs(os.path.dirname(target) or "/", exist_ok=True)
        open(target, "a").close()
    _check(_libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), "bind %s" % target)
    if read_only:
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC
        _check(_libc.mount(b"none", target.encode(), None, flags, None), "read-only %s" % target)


def can_enter(folder, uid, gids):
    """True if ``uid`` with groups ``gids`` may search ``folder`` (the permission bits; root may always)."""
    if uid == 0:
        return True
    info = os.stat(folder)
    if info.st_uid == uid:
        return bool(info.st_mode & 0o100)
    if info.st_gid in gids:
        return bool(info.st_mode & 0o010)
    return bool(info.st_mode & 0o001)


def closed_folders(paths, enter):
    """``{first folder on the way to a path that ``enter`` refuses: [paths under it]}``."""
    closed = {}
    for path in paths:
        parts = os.path.normpath(path).split("/")[1:]
        for depth in range(1, len(parts)):
            folder = "/" + "/".join(parts[:depth])
            if not enter(folder):
                closed.setdefault(folder, []).append(path)
                break
    return closed


def become(user):
    """Drop to the container's user: groups, then gid, then uid (after which nothing else could be changed)."""
    os.setgroups(user["groups"])
    os.setresgid(user["gid"], user["gid"], user["gid"])
    os.setresuid(user["uid"], user["uid"], user["uid"])
    if user["noNewPrivs"]:
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def reveal_programs(user, programs):
    """Cover what this user may not enter with a tmpfs, and bind the catalog's programs back into it."""
    gids = {user["gid"], *user["groups"]}
    closed = closed_folders(programs, lambda folder: can_enter(folder, user["uid"], gids))
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for paths in closed.values() for path in paths}
    for folder, paths in closed.items():
        _check(_libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, b"mode=0755"), "tmpfs over %s" % folder)
        for path in paths:
            bind(sources[path], path, read_only=True)
            os.close(sources[path])


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    _check(_libc.unshare(CLONE_NEWUTS), "unshare UTS")
    socket.sethostname(spec["hostname"])
    # Every source is opened before the first mount: a mount (a private /tmp) may hide
    # the host path of a later one (a hostPath volume under /tmp).
    sources = []
    for mount in spec["mounts"]:
        try:
            sources.append(os.open(mount["source"], os.O_PATH | os.O_CLOEXEC))
        except OSError as e:
            message = "volume source %s for %s: %s" % (mount["source"], mount["target"], e.strerror)
            raise OSError(e.errno, message) from e
    user = spec.get("user") or {"uid": 0, "gid": 0, "groups": [], "noNewPrivs": False}
    if user["uid"] != 0:
        reveal_programs(user, spec.get("programs") or ())
    for fd, mount in zip(sources, spec["mounts"], strict=True):
        bind(fd, mount["target"], mount.get("readOnly", False))
        os.close(fd)
    workdir = spec["workingDir"] or "/"
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    become(user)
    argv = spec["argv"]
    try:
        os.execvpe(argv[0], argv, spec["env"])
    except OSError as e:
        # What a runtime reports when the program is missing: exit 128, reason on stderr.
        sys.stderr.write('exec: "%s": %s\n' % (argv[0], e.strerror))
        sys.stderr.flush()
        os._exit(128)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except OSError as e:
        sys.stderr.write("testbed launcher: %s\n" % e)
        sys.exit(128)

"""The image catalog: which host programs stand in for which container images.

There is no container runtime here: a container runs host programs in its pod's
namespaces. Each entry says what the image's ENTRYPOINT, CMD, WORKDIR and ENV are, so
`command`/`args` combine with them as Kubernetes specifies (command replaces the
entrypoint, args replace the cmd), and the entrypoint behaviour that our roles rely on
is reproduced by small scripts in testbed/images/ (written for the test bed).

``writable`` lists the folders the image's own filesystem would give each container
privately (its data directory, /tmp, /run): each container gets an empty folder of its
own there, unless a volume is mounted at that path: /tmp open to all (mode 1777), the
others owned by ``owner``, the uid and gid the image's Dockerfile gives its own folders
(999:999, the redis and mysql users of the official redis and mariadb/mysql images), so a
container run as that user writes there as it would in the image. ``files`` are host
files the image has in its own version (Debian's MariaDB server config without its
bind-address): each container gets its copy, bound read-only over the host's.
"""

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from testbed import config

IMAGES_DIR = config.REPO_ROOT / "testbed" / "images"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PRIVATE_DIRS = ("/tmp", "/run")


@dataclass(frozen=True)
class Image:
    entrypoint: tuple = ()
    cmd: tuple = ()
    workdir: str = "/"
    env: dict = field(default_factory=dict)
    writable: tuple = PRIVATE_DIRS
    owner: tuple = (0, 0)
    # Host files the image has in another version: {path: function(host text) -> image's text}.
    files: dict = field(default_factory=dict)


SHELL_IMAGE = Image(cmd=("sh",))
DEBIAN_SERVER_CNF = "/etc/mysql/mariadb.conf.d/50-server.cnf"


def _listening_everywhere(text):
    """Debian's server config as the mariadb images have it: every address, no name resolution."""
    lines = ["#" + line if line.strip().startswith("bind-address") else line for line in text.splitlines(True)]
    return "".join(lines) + "\n[mariadbd]\nskip-name-resolve\n"


MARIADB_FILES = {DEBIAN_SERVER_CNF: _listening_everywhere}

CATALOG = {
    # Debian's redis-server; the entrypoint turns protected mode off unless the config or
    # the arguments set it, like the official image's docker-entrypoint.sh.
    "redis": Image(
        entrypoint=("sh", str(IMAGES_DIR / "redis-entrypoint.sh")),
        cmd=("redis-server",),
        workdir="/data",
        writable=("/data",) + PRIVATE_DIRS,
        owner=(999, 999),
    ),
    # Debian's mariadbd behind an entrypoint that initialises an empty datadir from the
    # MARIADB_*/MYSQL_* variables, as the official images do.
    "mariadb": Image(
        entrypoint=(sys.executable, str(IMAGES_DIR / "mariadb_entrypoint.py")),
        cmd=("mariadbd",),
        writable=("/var/lib/mysql",) + PRIVATE_DIRS,
        owner=(999, 999),
        files=MARIADB_FILES,
    ),
    "mysql": Image(
        entrypoint=(sys.executable, str(IMAGES_DIR / "mariadb_entrypoint.py")),
        cmd=("mysqld",),
        writable=("/var/lib/mysql",) + PRIVATE_DIRS,
        owner=(999, 999),
        files=MARIADB_FILES,
    ),
    # The upstream provisioner is a Go binary we cannot get: a Python stand-in of its
    # documented behaviour (testbed/images/nfs_provisioner.py).
    "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner": Image(
        entrypoint=(sys.executable, "-m", "testbed.images.nfs_provisioner"),
        env={"PYTHONPATH": str(config.REPO_ROOT)},
    ),
    # Test images: the host's shell and coreutils.
    "busybox": SHELL_IMAGE,
    "alpine": SHELL_IMAGE,
    "debian": Image(cmd=("bash",)),
    "ubuntu": Image(cmd=("bash",)),
}

# Other names the same images are published under.
ALIASES = {
    "k8s.gcr.io/sig-storage/nfs-subdir-external-provisioner": (
        "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner"
    ),
    "gcr.io/k8s-staging-sig-storage/nfs-subdir-external-provisioner": (
        "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner"
    ),
    "library/redis": "redis",
    "library/mariadb": "mariadb",
    "library/mysql": "mysql",
    "library/busybox": "busybox",
    "library/alpine": "alpine",
    "library/debian": "debian",
    "library/ubuntu": "ubuntu",
}


def repository(reference):
    """``docker.io/library/redis:7.2@sha256:…`` -> ``redis``: the part of a reference the catalog is keyed by."""
    name = reference.split("@", 1)[0]
    if name.rfind(":") > name.rfind("/"):
        name = name[: name.rfind(":")]
    for registry in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(registry):
            name = name[len(registry) :]
    return ALIASES.get(name, name)


def lookup(reference):
    """The catalog entry for an image reference, or None if the test bed cannot run it."""
    return CATALOG.get(repository(reference))


def image_id(reference):
    """A stable imageID for status (what a runtime reports as the image's digest)."""
    digest = hashlib.sha256(repository(reference).encode()).hexdigest()
    return "testbed://%s@sha256:%s" % (repository(reference), digest)


def argv(image, command, args):
    """The process to run: `command` replaces the ENTRYPOINT, `args` replace the CMD (Kubernetes' rules)."""
    if command:
        return list(command) + list(args or ())
    return list(image.entrypoint) + list(args if args else image.cmd)


def catalog_paths():
    """Where the catalog's programs live on the host: the checkout (testbed/images, the testbed
    package) and the Python running them (the venv and the interpreter it was made from)."""
    return tuple(dict.fromkeys(p.resolve() for p in (config.REPO_ROOT, Path(sys.prefix), Path(sys.base_prefix))))

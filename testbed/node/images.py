"""The image catalog: which host programs stand in for which container images.

There is no container runtime here: a container runs host programs in its pod's
namespaces. Each entry says what the image's ENTRYPOINT, CMD, WORKDIR and ENV are, so
`command`/`args` combine with them as Kubernetes specifies (command replaces the
entrypoint, args replace the cmd), and the entrypoint behaviour that our roles rely on
is reproduced by small scripts in testbed/images/ (written for the test bed).

``writable`` lists the folders the image's own filesystem would give each container
privately (its data directory, /tmp, /run): each container gets an empty folder of its
own there, unless a volume is mounted at that path.
"""

import hashlib
import sys
from dataclasses import dataclass, field

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


SHELL_IMAGE = Image(cmd=("sh",))

CATALOG = {
    # Debian's redis-server; the entrypoint turns protected mode off unless the config or
    # the arguments set it, like the official image's docker-entrypoint.sh.
    "redis": Image(
        entrypoint=("sh", str(IMAGES_DIR / "redis-entrypoint.sh")),
        cmd=("redis-server",),
        workdir="/data",
        writable=("/data",) + PRIVATE_DIRS,
    ),
    # Debian's mariadbd behind an entrypoint that initialises an empty datadir from the
    # MARIADB_*/MYSQL_* variables, as the official images do.
    "mariadb": Image(
        entrypoint=(sys.executable, str(IMAGES_DIR / "mariadb_entrypoint.py")),
        cmd=("mariadbd",),
        writable=("/var/lib/mysql",) + PRIVATE_DIRS,
    ),
    "mysql": Image(
        entrypoint=(sys.executable, str(IMAGES_DIR / "mariadb_entrypoint.py")),
        cmd=("mysqld",),
        writable=("/var/lib/mysql",) + PRIVATE_DIRS,
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

"""Who a container's processes are: user, group, supplementary groups, no_new_privs.

What a container runtime takes from the pod's and the container's securityContext
(the container's fields win): ``runAsUser`` (else the image's user: root for every image
of the catalog, as for the official redis and mariadb images, whose entrypoints switch
to uid 999 themselves only when started as root), ``runAsGroup`` (else 0), the
supplementary groups ``fsGroup`` and ``supplementalGroups``, and
``allowPrivilegeEscalation: false`` as the no_new_privs bit. ``runAsNonRoot`` with a
resulting uid 0 refuses to start the container, with the kubelet's message.

Probes, hooks and exec run as the container's main process runs: ``enter_argv`` reads
its ids from /proc and switches to them with ``setpriv`` after ``nsenter``.

Not emulated: capabilities (a process that is not root has none anyway; a root
container keeps the agent's), seccomp, SELinux/AppArmor.
"""

from dataclasses import dataclass

from testbed.node.environment import ConfigError


@dataclass(frozen=True)
class Identity:
    uid: int = 0
    gid: int = 0
    groups: tuple = ()
    no_new_privs: bool = False

    @property
    def root(self):
        return self.uid == 0

    def as_launch(self):
        return {"uid": self.uid, "gid": self.gid, "groups": list(self.groups), "noNewPrivs": self.no_new_privs}


def _field(pod_context, container_context, name):
    if name in container_context and container_context[name] is not None:
        return container_context[name]
    return pod_context.get(name)


def container_identity(pod, container_spec):
    """The Identity of one container of ``pod`` (raises ConfigError as the kubelet would refuse it)."""
    pod_context = pod["spec"].get("securityContext") or {}
    container_context = container_spec.get("securityContext") or {}
    uid = _field(pod_context, container_context, "runAsUser")
    uid = 0 if uid is None else int(uid)
    gid = _field(pod_context, container_context, "runAsGroup")
    gid = 0 if gid is None else int(gid)
    if _field(pod_context, container_context, "runAsNonRoot") and uid == 0:
        raise ConfigError("container has runAsNonRoot and image will run as root (pod: %s, container: %s)"
                          % (pod["metadata"]["name"], container_spec["name"]))
    groups = []
    if pod_context.get("fsGroup") is not None:
        groups.append(int(pod_context["fsGroup"]))
    groups.extend(int(g) for g in pod_context.get("supplementalGroups") or ())
    no_new_privs = container_context.get("allowPrivilegeEscalation") is False
    return Identity(uid, gid, tuple(dict.fromkeys(groups)), no_new_privs)


def process_identity(pid):
    """The Identity a running process has, from /proc/<pid>/status."""
    fields = {}
    with open("/proc/%d/status" % pid) as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return Identity(int(fields["Uid"][1]), int(fields["Gid"][1]), tuple(int(g) for g in fields.get("Groups", ())),
                    fields.get("NoNewPrivs", ["0"])[0] == "1")


def switch_argv(identity):
    """The ``setpriv`` prefix that makes a root process into ``identity`` (empty for plain root)."""
    if identity.root and identity.gid == 0 and not identity.no_new_privs:
        return []
    groups = ["--groups=" + ",".join(str(g) for g in identity.groups)] if identity.groups else ["--clear-groups"]
    argv = ["setpriv", "--reuid=%d" % identity.uid, "--regid=%d" % identity.gid, *groups]
    if identity.no_new_privs:
        argv.append("--no-new-privs")
    return argv + ["--"]


def enter_argv(pid, namespaces, command):
    """Run ``command`` in the namespaces of process ``pid`` (``nsenter`` flags given), as that process's user."""
    return ["nsenter", "--target", str(pid), *namespaces, "--", *switch_argv(process_identity(pid)), *command]

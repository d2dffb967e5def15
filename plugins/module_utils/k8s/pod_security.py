# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pod Security Standards: what a namespace enforces, and what of a pod spec it would refuse (pure).

The Pod Security admission plugin (on by default since Kubernetes 1.25) refuses a pod
that breaks the level named by its namespace's ``pod-security.kubernetes.io/enforce``
label. A workload's controller then fails to create its pods, and the object the role
applied sits there with no pod: so the roles check the pod template themselves, before
changing anything, with these rules (the checks of the "latest" policy that a pod
template can break; a namespace without the label is ``privileged``). Each finding
names the field, as the admission plugin's message does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
LEVELS = ("privileged", "baseline", "restricted")

# Capabilities baseline lets a container add; restricted lets it add only NET_BIND_SERVICE.
BASELINE_CAPABILITIES = frozenset((
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
    "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
))
RESTRICTED_CAPABILITIES = frozenset(("NET_BIND_SERVICE",))
RESTRICTED_VOLUMES = frozenset((
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
))
SAFE_SYSCTLS = frozenset((
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
))


def enforced_level(namespace):
    """The level a Namespace object (as the API returns it) enforces; ``privileged`` when unlabelled."""
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    level = labels.get(ENFORCE_LABEL, "privileged")
    return level if level in LEVELS else "restricted"  # the plugin treats an unknown level as restricted


def _containers(spec):
    for kind in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(kind) or ()):
            yield "spec.%s[%d]" % (kind, index), container


def _baseline(spec):
    found = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            found.append(("spec.%s" % field, "must be unset or false"))
    pod_context = spec.get("securityContext") or {}
    if (pod_context.get("seccompProfile") or {}).get("type") == "Unconfined":
        found.append(("spec.securityContext.seccompProfile.type", "must not be Unconfined"))
    for sysctl in pod_context.get("sysctls") or ():
        if sysctl.get("name") not in SAFE_SYSCTLS:
            found.append(("spec.securityContext.sysctls", "%s is not a safe sysctl" % sysctl.get("name")))
    for volume in spec.get("volumes") or ():
        if "hostPath" in volume:
            found.append(("spec.volumes[%s].hostPath" % volume.get("name"), "hostPath volumes are not allowed"))
    for path, container in _containers(spec):
        context = container.get("securityContext") or {}
        if context.get("privileged"):
            found.append((path + ".securityContext.privileged", "must be unset or false"))
        added = set((context.get("capabilities") or {}).get("add") or ()) - BASELINE_CAPABILITIES
        if added:
            found.append((path + ".securityContext.capabilities.add", "may not add %s" % ", ".join(sorted(added))))
        if context.get("procMount", "Default") != "Default":
            found.append((path + ".securityContext.procMount", "must be unset or Default"))
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
            found.append((path + ".securityContext.seccompProfile.type", "must not be Unconfined"))
        if (context.get("windowsOptions") or {}).get("hostProcess"):
            found.append((path + ".securityContext.windowsOptions.hostProcess", "must be unset or false"))
        for port in container.get("ports") or ():
            if port.get("hostPort"):
                found.append((path + ".ports.hostPort", "must be unset or 0 (is %s)" % port["hostPort"]))
    return found


def _restricted(spec):
    found = []
    pod_context = spec.get("securityContext") or {}
    for volume in spec.get("volumes") or ():
        kind = next((k for k in volume if k != "name"), None)
        if kind not in RESTRICTED_VOLUMES and kind != "hostPath":  # hostPath: already a baseline finding
            found.append(("spec.volumes[%s].%s" % (volume.get("name"), kind), "%s volumes are not allowed" % kind))
    if pod_context.get("runAsUser") == 0:
        found.append(("spec.securityContext.runAsUser", "must not be 0"))
    pod_non_root = pod_context.get("runAsNonRoot")
    pod_seccomp = (pod_context.get("seccompProfile") or {}).get("type")
    for path, container in _containers(spec):
        context = container.get("securityContext") or {}
        if context.get("allowPrivilegeEscalation") is not False:
            found.append((path + ".securityContext.allowPrivilegeEscalation", "must be false"))
        non_root = context.get("runAsNonRoot", pod_non_root)
        if non_root is not True:
            found.append((path + ".securityContext.runAsNonRoot",
                          "must be true (here or in spec.securityContext)"))
        if context.get("runAsUser") == 0:
            found.append((path + ".securityContext.runAsUser", "must not be 0"))
        seccomp = (context.get("seccompProfile") or {}).get("type") or pod_seccomp
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append((path + ".securityContext.seccompProfile.type",
                          "must be RuntimeDefault or Localhost (here or in spec.securityContext)"))
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or ()):
            found.append((path + ".securityContext.capabilities.drop", "must include ALL"))
        added = set(capabilities.get("add") or ()) & (BASELINE_CAPABILITIES - RESTRICTED_CAPABILITIES)
        if added:
            rule = "may add only NET_BIND_SERVICE, not %s" % ", ".join(sorted(added))
            found.append((path + ".securityContext.capabilities.add", rule))
    return found


def violations(pod_spec, level):
    """``[(field, requirement)]``: what of ``pod_spec`` the ``level`` refuses (empty when it passes)."""
    if level not in LEVELS:
        raise ValueError("unknown Pod Security level %r: one of %s" % (level, ", ".join(LEVELS)))
    if level == "privileged":
        return []
    found = _baseline(pod_spec or {})
    if level == "restricted":
        found.extend(_restricted(pod_spec or {}))
    return found


def refusal(level, namespace, what, found):
    """One sentence naming the profile and every field, and what to do."""
    return ('namespace %s enforces Pod Security "%s", which would refuse the pods of %s: %s. Nothing was changed. '
            "Fix the pod's securityContext (the role's security context variables) or run it in a namespace "
            "whose pod-security.kubernetes.io/enforce level allows it."
            % (namespace, level, what, "; ".join("%s %s" % (field, rule) for field, rule in found)))

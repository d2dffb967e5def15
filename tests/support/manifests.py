"""StatefulSets for tests and benchmarks, as the dicts `kubernetes.core.k8s` applies: real processes on the test bed."""

READY_FILE_PROBE = {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 1,
                    # A probe that misses its 1 s deadline once on a busy machine must not flip readiness.
                    "failureThreshold": 3, "timeoutSeconds": 5}


def statefulset(name, namespace, replicas=3, script="touch /tmp/ready; exec sleep 3600", image="busybox",
                policy="OrderedReady", partition=None, env=None, claims=None, probe=True, probe_delay=0,
                probe_period=1, annotations=None, ordinals_start=None):
    """A StatefulSet whose container runs ``sh -c script``; Ready once the script has made /tmp/ready.

    ``annotations`` go on the pod template (a new value there is a new revision: a rollout).
    ``ordinals_start`` is ``spec.ordinals.start`` (the first pod's ordinal; Kubernetes 1.27 or later).
    """
    container = {
        "name": "app",
        "image": image,
        "command": ["sh", "-c", script],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}] + list(env or []),
    }
    if probe:
        container["readinessProbe"] = dict(READY_FILE_PROBE, initialDelaySeconds=probe_delay,
                                           periodSeconds=probe_period)
    spec = {
        "replicas": replicas,
        "serviceName": name,
        "podManagementPolicy": policy,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}, "annotations": dict(annotations or {})},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [container]},
        },
    }
    if ordinals_start is not None:
        spec["ordinals"] = {"start": ordinals_start}
    if partition is not None:
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}
    if claims:
        container["volumeMounts"] = [{"name": claim["metadata"]["name"], "mountPath": "/data"} for claim in claims]
        spec["volumeClaimTemplates"] = claims
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": namespace},
            "spec": spec}


def claim_template(name, storage_class):
    return {"metadata": {"name": name}, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": storage_class,
                                                 "resources": {"requests": {"storage": "1Mi"}}}}

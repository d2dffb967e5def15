"""The mysql role on the test bed: time from nothing to three verified replicas on the NFS class.

    KUBECONFIG=.testbed/kubeconfig .venv/bin/python -m bench.mysql_seed.testbed

A fresh namespace, the NFS StorageClass (testbed/playbooks/storage.yml), then one run of
the role with 3 pods: the clock covers the whole run (claims provisioned, pods started in
order, replication formed, a marker row read back on both replicas). Prints the run's
time and the module's own phases; no peer (nothing else forms replication by itself).
"""

import time
import uuid
from pathlib import Path

from testbed import config
from testbed.testing import kubeconfig_path, run_playbook

HERE = Path(__file__).parent
TASK = "stateful.kube.mysql : Form, grow, heal or switch over the replication, then verify it"


def main():
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    kubeconfig = kubeconfig_path()
    core = k8s_client.CoreV1Api(k8s_config.new_client_from_config(str(kubeconfig)))
    storage = run_playbook(config.STORAGE_PLAYBOOK, kubeconfig)
    assert storage.rc == 0, storage.stdout[-2000:]
    namespace = "bench-mysql-%s" % uuid.uuid4().hex[:5]
    core.create_namespace(k8s_client.V1Namespace(metadata=k8s_client.V1ObjectMeta(name=namespace)))
    try:
        started = time.monotonic()
        result = run_playbook(HERE / "role.yml", kubeconfig, extra_vars={
            "mysql_namespace": namespace, "mysql_version": "10.11", "mysql_resources": {},
            "mysql_root_password": "bench-%s" % uuid.uuid4().hex[:8]}, timeout=1200)
        elapsed = time.monotonic() - started
        assert result.rc == 0, result.stdout[-4000:]
        formed = result.task_results(TASK)[-1]
        print("nothing to three verified replicas (NFS class): %.1f s; module %s; marker %s"
              % (elapsed, formed["timings"], formed["marker_seconds"]))
    finally:
        core.delete_namespace(namespace)


if __name__ == "__main__":
    main()

"""Pods call the API server with their own ServiceAccount token, and RBAC applies to them."""

from kubernetes import client

from testbed.tests.support import create_pod, pod_log, wait_until

# Asks the API server for the pod's own namespace's ConfigMaps every 0.3 s and prints the HTTP status.
CALLER = r"""
SA=/var/run/secrets/kubernetes.io/serviceaccount
while true; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert $SA/ca.crt -H "Authorization: Bearer $(cat $SA/token)" \
    "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$(cat $SA/namespace)/configmaps")
  echo "status $code"
  sleep 0.3
done
"""


def test_pod_uses_its_service_account_token_and_rbac_applies(core_v1, namespace, api_client):
    core_v1.create_namespaced_service_account(namespace, {"metadata": {"name": "reader"}})
    create_pod(core_v1, namespace, {"metadata": {"name": "caller"}, "spec": {
        "serviceAccountName": "reader", "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": "debian", "command": ["sh", "-c", CALLER]}]}})

    def statuses():
        return [line.split()[1] for line in pod_log(namespace, "caller", "main").splitlines()
                if line.startswith("status ")]

    wait_until(lambda: "403" in statuses(), 30, "the pod's API call refused (403) without a RoleBinding")
    assert "200" not in statuses()

    rbac = client.RbacAuthorizationV1Api(api_client)
    rbac.create_namespaced_role(namespace, {"metadata": {"name": "read-configmaps"}, "rules": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]}]})
    rbac.create_namespaced_role_binding(namespace, {
        "metadata": {"name": "reader-reads"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read-configmaps"},
        "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": namespace}]})
    wait_until(lambda: statuses()[-1:] == ["200"], 30, "the pod's API call allowed (200) once bound")

"""The redis_cluster role asks for a first ordinal and a claim retention policy only of servers that honour them.

Kubernetes before 1.27 drops ``spec.ordinals.start`` and
``persistentVolumeClaimRetentionPolicy`` without an error; the role refuses them there
before changing anything, and takes them from 1.27 on. The same test runs on every bed
(1.37 by default, 1.20 with KUBE_VERSION=1.20) and checks what that server should get. In
check mode: the role's choice is made before any change, so nothing needs to run.
"""

from redis_helpers import assert_ok, task_result

from tests.support.cluster import server_release
from tests.support.role_runs import changed_tasks

ASKED = {"redis_cluster_ordinal_start": 5, "redis_cluster_pvc_retention_when_scaled": "Delete"}
REFUSAL_TASK = "Refuse a first ordinal or a claim retention policy the server would ignore"


def test_first_ordinal_and_delete_are_refused_before_1_27_and_taken_from_it(role, api_client, apps_v1,
                                                                            redis_namespace):
    result = role(redis_namespace, check=True, **ASKED)

    if server_release(api_client) >= (1, 27):
        assert_ok(result)
        assert task_result(result, REFUSAL_TASK).get("skipped"), "refused on a server that honours both"
        assert "stateful.kube.redis_cluster : Run the pods as a StatefulSet" in changed_tasks(result)
    else:
        assert result.rc != 0
        refused = task_result(result, REFUSAL_TASK)["msg"]
        assert refused.startswith("redis_cluster_ordinal_start: 5 needs Kubernetes 1.27 or later"), refused
        assert "redis_cluster_pvc_retention_when_scaled: Delete needs Kubernetes 1.27 or later" in refused
        assert "Nothing was changed" in refused
        assert changed_tasks(result) == []
    # Check mode either way: no StatefulSet was made.
    assert apps_v1.list_namespaced_stateful_set(redis_namespace).items == []

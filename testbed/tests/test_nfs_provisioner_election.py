"""Leader election of the NFS provisioner stand-in, against a fake Lease API and a fake clock.

The fake keeps one Lease with a resourceVersion and refuses a replace carrying a stale one
(409), as the API server does; the bed's failover is tested for real in test_provisioner_failover.py.
"""

import copy
import json

from kubernetes.client.rest import ApiException

from testbed.images import nfs_provisioner as np


class Response:
    def __init__(self, body):
        self.data = json.dumps(body).encode()


class FakeLeases:
    def __init__(self):
        self.lease = None
        self.version = 0

    def read_namespaced_lease(self, name, namespace, **_):
        if self.lease is None:
            raise ApiException(status=404, reason="NotFound")
        return Response(self.lease)

    def create_namespaced_lease(self, namespace, body, **_):
        if self.lease is not None:
            raise ApiException(status=409, reason="AlreadyExists")
        self._store(body)

    def replace_namespaced_lease(self, name, namespace, body, **_):
        if body["metadata"].get("resourceVersion") != self.lease["metadata"]["resourceVersion"]:
            raise ApiException(status=409, reason="Conflict")
        self._store(body)

    def _store(self, body):
        self.version += 1
        self.lease = copy.deepcopy(body)
        self.lease["metadata"]["resourceVersion"] = str(self.version)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def candidates():
    api, clock = FakeLeases(), Clock()
    a = np.LeaderElection(api, "ns", "lock", "a", clock=clock)
    b = np.LeaderElection(api, "ns", "lock", "b", clock=clock)
    return api, clock, a, b


def test_first_candidate_takes_the_lease_and_the_second_follows():
    api, clock, a, b = candidates()
    assert a.try_acquire_or_renew() and a.leading
    assert not b.try_acquire_or_renew() and not b.leading
    assert api.lease["spec"]["holderIdentity"] == "a"
    assert api.lease["spec"]["leaseTransitions"] == 0


def test_a_lease_that_is_renewed_is_never_taken():
    api, clock, a, b = candidates()
    a.try_acquire_or_renew()
    for _ in range(20):
        clock.now += np.RETRY_SECONDS
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()
    assert api.lease["spec"]["holderIdentity"] == "a"


def test_a_dead_leaders_lease_is_taken_once_its_duration_has_passed_on_the_followers_clock():
    api, clock, a, b = candidates()
    a.try_acquire_or_renew()
    b.try_acquire_or_renew()
    clock.now += np.LEASE_SECONDS - 1
    assert not b.try_acquire_or_renew()
    clock.now += 2
    assert b.try_acquire_or_renew()
    assert api.lease["spec"]["holderIdentity"] == "b"
    assert api.lease["spec"]["leaseTransitions"] == 1
    # The old leader stops counting itself as one once it could not renew for the renew deadline.
    assert not a.leading
    assert not a.try_acquire_or_renew()


def test_a_released_lease_is_taken_at_the_next_try():
    api, clock, a, b = candidates()
    a.try_acquire_or_renew()
    b.try_acquire_or_renew()
    a.release()
    assert not a.leading
    assert api.lease["spec"]["holderIdentity"] == ""
    clock.now += np.RETRY_SECONDS
    assert b.try_acquire_or_renew()


def test_two_candidates_racing_on_one_read_give_one_leader():
    api, clock, a, b = candidates()
    a.try_acquire_or_renew()
    a.release()
    clock.now += 1
    # b reads, then a replaces in between: b's replace carries a stale resourceVersion.
    real_read = api.read_namespaced_lease

    def read_then_a_wins(*args, **kwargs):
        response = real_read(*args, **kwargs)
        api.read_namespaced_lease = real_read
        a.try_acquire_or_renew()
        return response

    api.read_namespaced_lease = read_then_a_wins
    assert not b.try_acquire_or_renew()
    assert api.lease["spec"]["holderIdentity"] == "a"


def test_lock_name_is_the_provisioner_name_without_slashes():
    assert np.lock_name("k8s-sigs.io/nfs-subdir-external-provisioner") == "k8s-sigs.io-nfs-subdir-external-provisioner"

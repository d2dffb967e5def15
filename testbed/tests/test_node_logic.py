"""The node agent's pure rules, on the shapes the API serves (no cluster needed)."""

from testbed.node import dns, environment, images, status
from testbed.node.addresses import AddressPool
from testbed.node.containers import Container


def test_image_references_map_to_catalog_entries():
    assert images.repository("docker.io/library/redis:7.2@sha256:abc") == "redis"
    assert images.repository("mariadb:10.11") == "mariadb"
    assert images.repository("localhost:5000/redis") == "localhost:5000/redis"
    assert images.lookup("k8s.gcr.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2") is images.CATALOG[
        "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner"]
    assert images.lookup("quay.io/someone/redis:7") is None


def test_command_replaces_entrypoint_and_args_replace_cmd():
    redis = images.CATALOG["redis"]
    assert images.argv(redis, None, None)[-1] == "redis-server"
    assert images.argv(redis, None, ["--port", "7000"])[-2:] == ["--port", "7000"]
    assert images.argv(redis, None, ["--port", "7000"])[0] == "sh", "args keep the image's entrypoint"
    assert images.argv(redis, ["redis-server"], ["--port", "7000"]) == ["redis-server", "--port", "7000"]


def test_variable_references_expand_like_kubernetes():
    variables = {"A": "1", "B": "two"}
    assert environment.expand("$(A)-$(B)", variables) == "1-two"
    assert environment.expand("$(MISSING)", variables) == "$(MISSING)"
    assert environment.expand("$$(A)", variables) == "$(A)"


def test_addresses_are_handed_out_round_robin():
    pool = AddressPool(2)
    first = pool.allocate()
    pool.release(first)
    assert first == "10.244.2.2"
    assert pool.allocate() == "10.244.2.3", "a released address is not reused at once"


def test_hosts_file_lists_every_name_form_for_the_pods_namespace_only():
    pod = dns.PodEntry("skube-x", "app", "client", None, "10.244.1.9", None)
    endpoints = {"subsets": [{"addresses": [{"ip": "10.244.1.2", "hostname": "redis-0"}],
                              "notReadyAddresses": [{"ip": "10.244.2.3", "hostname": "redis-1"}]}]}
    records = {("app", "redis"): dns.service_records(endpoints, publish_not_ready=False),
               ("other", "db"): [("10.244.3.4", None)]}
    text = dns.render_hosts(pod, records)
    assert "10.244.1.2\tredis-0.redis.app.svc.cluster.local redis-0.redis.app.svc redis-0.redis.app redis-0.redis" \
        in text
    assert "10.244.1.2\tredis.app.svc.cluster.local redis.app.svc redis.app redis\n" in text
    assert "10.244.2.3" not in text, "not-ready addresses only with publishNotReadyAddresses"
    assert "10.244.3.4\tdb.other.svc.cluster.local db.other.svc db.other\n" in text, "no short form across namespaces"
    published = dns.service_records(endpoints, publish_not_ready=True)
    assert ("10.244.2.3", "redis-1") in published


def test_phase_follows_the_kubelets_rules():
    running = Container({"name": "a", "image": "busybox"}, init=False)
    running.process = object()
    done = Container({"name": "b", "image": "busybox"}, init=False)
    done.state = {"terminated": {"exitCode": 0}}
    done.exit_code = 0
    failed = Container({"name": "c", "image": "busybox"}, init=False)
    failed.state = {"terminated": {"exitCode": 1}}
    failed.exit_code = 1
    waiting = Container({"name": "d", "image": "busybox"}, init=False)
    assert status.phase(True, False, [running, done], "Always") == "Running"
    assert status.phase(True, False, [done], "Never") == "Succeeded"
    assert status.phase(True, False, [done, failed], "Never") == "Failed"
    assert status.phase(True, False, [done, failed], "Always") == "Running"
    assert status.phase(True, False, [running, waiting], "Always") == "Pending"
    assert status.phase(False, False, [waiting], "Always") == "Pending"
    assert status.phase(False, True, [waiting], "Never") == "Failed"


def test_back_off_doubles_after_the_first_restart_up_to_the_cap():
    container = Container({"name": "a", "image": "busybox"}, init=False)
    delays = []
    for crashes in range(1, 10):
        container.crashes = crashes
        delays.append(container.backoff_delay())
    assert delays[:4] == [0.0, 5.0, 10.0, 20.0]
    assert delays[-1] == 300.0

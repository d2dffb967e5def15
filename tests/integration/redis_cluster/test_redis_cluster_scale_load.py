"""Scaling a cluster that holds 100,000 keys while a redis-py cluster client writes without pause."""

import threading

import redis
from redis_helpers import ROLE_TASK, SCALE_DOWN_TASK, all_members_ok, assert_ok, cluster_client, task_result, wait_for

KEYS = 100000


def load(core_v1, namespace):
    client = cluster_client(core_v1, namespace)
    pipe = client.pipeline()
    for i in range(KEYS):
        pipe.set("load:%d" % i, "v-load:%d" % i)
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    client.close()


def missing(core_v1, namespace, names):
    client = cluster_client(core_v1, namespace)
    lost = []
    for start in range(0, len(names), 5000):
        part = names[start:start + 5000]
        pipe = client.pipeline()
        for name in part:
            pipe.get(name)
        lost.extend(name for name, value in zip(part, pipe.execute(), strict=True) if value != "v-" + name)
    client.close()
    return lost


class Writer(threading.Thread):
    """Writes new keys without pause; keeps the ones Redis acknowledged and every error it saw."""

    def __init__(self, core_v1, namespace):
        super().__init__(daemon=True)
        self.client = cluster_client(core_v1, namespace)
        self.acknowledged = []
        self.errors = []
        self.client_bugs = []
        self.stop = threading.Event()

    def run(self):
        i = 0
        while not self.stop.is_set():
            name = "w:%d" % i
            try:
                self.client.set(name, "v-" + name)
                self.acknowledged.append(name)
            except redis.RedisError as e:  # redirects are followed inside the client: anything here is an error
                self.errors.append("%s: %r" % (name, e))
            except AttributeError as e:  # redis-py's cluster client losing a new node (redis/redis-py#2432)
                self.client_bugs.append("%s: %r" % (name, e))
            i += 1
        self.client.close()


def test_scale_three_to_four_to_three_masters_under_write_load_keeps_every_write(role, core_v1, redis_namespace):
    assert_ok(role(redis_namespace))
    load(core_v1, redis_namespace)
    writer = Writer(core_v1, redis_namespace)
    writer.start()
    try:
        wait_for("the writer to get going", lambda: len(writer.acknowledged) > 100, 30)
        up = role(redis_namespace, redis_cluster_masters=4)
        assert_ok(up)
        grown = task_result(up, ROLE_TASK)
        assert grown["state"] == "scale_up" and grown["slots_moved"] == 4096
        down = role(redis_namespace, redis_cluster_masters=3)
        assert_ok(down)
        assert task_result(down, SCALE_DOWN_TASK)["state"] == "scale_down"
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.errors == []
    assert all_members_ok(core_v1, redis_namespace, 6)
    assert missing(core_v1, redis_namespace, writer.acknowledged) == []
    assert missing(core_v1, redis_namespace, ["load:%d" % i for i in range(KEYS)]) == []

"""Reading Redis members as the tests and benchmarks judge them: raw replies, one rule for "the cluster is up"."""

import redis


def raw_client(host, port=6379, password=None):
    """A client that returns each reply as the server sent it (text, not parsed into dicts)."""
    client = redis.Redis(host=host, port=port, password=password, decode_responses=True, socket_timeout=5)
    client.response_callbacks.clear()
    return client


def cluster_up(cluster_info, members):
    """Whether a CLUSTER INFO reply says: state ok, all 16384 slots served, ``members`` nodes known."""
    fields = dict(line.split(":", 1) for line in cluster_info.split() if ":" in line)
    return (fields.get("cluster_state") == "ok" and fields.get("cluster_slots_ok") == "16384"
            and fields.get("cluster_known_nodes") == str(members))

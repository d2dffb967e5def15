"""Reading Redis members as the tests and benchmarks judge them: raw replies, one rule for "the cluster is up"."""

import redis


def raw_client(host, port=6379, password=None, ca=None):
    """A client that returns each reply as the server sent it (text, not parsed into dicts).

    ``ca``: the CA file of members that speak TLS only (their certificates name the pods' DNS
    names, not the IPs we connect to, so the chain is checked and the hostname is not).
    """
    tls = dict(ssl=True, ssl_ca_certs=ca, ssl_check_hostname=False) if ca else {}
    client = redis.Redis(host=host, port=port, password=password, decode_responses=True, socket_timeout=5, **tls)
    client.response_callbacks.clear()
    return client


def cluster_up(cluster_info, members):
    """Whether a CLUSTER INFO reply says: state ok, all 16384 slots served, ``members`` nodes known."""
    fields = dict(line.split(":", 1) for line in cluster_info.split() if ":" in line)
    return (fields.get("cluster_state") == "ok" and fields.get("cluster_slots_ok") == "16384"
            and fields.get("cluster_known_nodes") == str(members))

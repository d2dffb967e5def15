# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``direct`` transport: redis-py to each member's address (pod IP, or any host:port)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError

try:
    import redis
except ImportError:  # options.check_options refuses transport=direct before this is used
    redis = None


class DirectTransport:
    name = "direct"

    def __init__(self, password=None, timeout=5.0, tls_ca_data=None):
        self.password = password or None
        self.timeout = timeout
        # TLS: the members' certificate must chain to this CA (PEM). Host names are not checked:
        # members are reached by pod IP, which no certificate names; the CA is the cluster's own.
        self.tls = dict(ssl=True, ssl_ca_data=tls_ca_data, ssl_check_hostname=False) if tls_ca_data else {}
        self._clients = {}
        self._lock = threading.Lock()

    def _client(self, member):
        with self._lock:
            client = self._clients.get(member.address)
            if client is None:
                client = redis.Redis(
                    host=member.host,
                    port=member.port,
                    password=self.password,
                    socket_timeout=self.timeout,
                    socket_connect_timeout=self.timeout,
                    decode_responses=True,
                    # Keys are opaque bytes: survive the round trip GETKEYSINSLOT -> MIGRATE.
                    encoding_errors="surrogateescape",
                    **self.tls
                )
                # Raw replies only: the callers parse CLUSTER NODES/INFO themselves.
                client.response_callbacks.clear()
                self._clients[member.address] = client
            return client

    def call(self, member, commands, timeout=None):
        """Send ``commands`` (lists of arguments) to ``member`` in one pipeline; one reply each."""
        client = self._client(member)
        try:
            pipe = client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            replies = pipe.execute(raise_on_error=False)
        except redis.AuthenticationError as e:
            raise MemberError(member.name, "auth", "Redis at %s refused the password: %s" % (member.address, e)) from e
        except redis.TimeoutError as e:
            raise MemberError(member.name, "timeout", "no reply from %s within %.1f s: %s"
                              % (member.address, self.timeout, e)) from e
        except redis.ConnectionError as e:
            raise MemberError(member.name, "unreachable", "cannot connect to %s: %s" % (member.address, e)) from e
        return [_value(reply) for reply in replies]

    def close(self):
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients = {}


def _value(reply):
    if isinstance(reply, redis.AuthenticationError):
        return ReplyError("NOAUTH %s" % reply)
    if isinstance(reply, redis.RedisError):
        return ReplyError(str(reply))
    return reply

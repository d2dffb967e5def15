# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read every member's own view of the cluster: the only step of the bootstrap that reads Redis."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import concurrency, replies, retry
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import text

OBSERVE_COMMANDS = [
    ["CLUSTER", "MYID"],
    ["CLUSTER", "INFO"],
    ["CLUSTER", "NODES"],
    ["DBSIZE"],
    ["INFO", "replication"],
]


class MemberState:
    """What one member says about itself and the cluster, parsed."""

    def __init__(self, member, node_id, cluster_info, nodes, dbsize, replication):
        self.member = member
        self.node_id = node_id
        self.cluster_info = cluster_info  # {field: str}
        self.nodes = nodes  # [NodeLine]
        self.dbsize = dbsize
        self.replication = replication  # {field: str}

    @classmethod
    def from_replies(cls, member, myid, cluster_info_text, cluster_nodes_text, dbsize, replication_text):
        return cls(
            member=member,
            node_id=myid,
            cluster_info=replies.parse_info(cluster_info_text),
            nodes=replies.parse_cluster_nodes(cluster_nodes_text),
            dbsize=int(dbsize),
            replication=replies.parse_info(replication_text),
        )

    @property
    def myself(self):
        for line in self.nodes:
            if line.myself:
                return line
        raise ValueError("%s: CLUSTER NODES has no 'myself' line" % self.member.name)

    @property
    def peers(self):
        """The lines about other nodes, without the transient ones of a handshake in progress."""
        return [line for line in self.nodes if not line.myself and not line.in_handshake]

    @property
    def slots(self):
        return self.myself.slots

    @property
    def is_master(self):
        return self.myself.is_master

    @property
    def master_id(self):
        return self.myself.master_id

    @property
    def isolated(self):
        """Knows no other node (a fresh server, or one whose MEET never happened)."""
        return not self.peers

    @property
    def fresh(self):
        """A server never used: alone, master, no slots, no keys, epoch 0."""
        return self.isolated and self.is_master and not self.slots and self.dbsize == 0

    @property
    def cluster_ok(self):
        return self.cluster_info.get("cluster_state") == "ok"

    @property
    def link_up(self):
        return self.replication.get("master_link_status") == "up"


def read_member(transport, member, timeout=None):
    """The ``MemberState`` of one member (raises ``MemberError`` when it cannot be read)."""
    values = transport.call(member, OBSERVE_COMMANDS, timeout=timeout)
    for i, value in enumerate(values):
        if isinstance(value, ReplyError):
            raise member_error(member, OBSERVE_COMMANDS[i], value)
    try:
        return MemberState.from_replies(member, text(values[0]), text(values[1]), text(values[2]), values[3],
                                        text(values[4]))
    except ValueError as e:
        raise MemberError(member.name, "protocol", "unexpected reply from %s: %s" % (member.address, e)) from e


def member_error(member, command, error):
    """The MemberError for ``error``, the reply of ``member`` to ``command``: its kind, the member, the raw reply."""
    message = str(error)
    command = [str(word) for word in command]
    if "NOAUTH" in message or "WRONGPASS" in message or "Authentication" in message:
        return MemberError(member.name, "auth", "Redis at %s refused the password: %s" % (member.address, message))
    if retry.is_transient_reply(error):
        return MemberError(member.name, "transient", "%s on %s answered: %s" % (" ".join(command), member.address,
                                                                                message))
    if "cluster support disabled" in message:
        return MemberError(member.name, "not_cluster", "Redis at %s runs without cluster-enabled yes" % member.address)
    return MemberError(member.name, "protocol", "%s on %s answered: %s" % (" ".join(command), member.address, message))


def observe(transport, members, timeout=None):
    """``{name: MemberState}`` for every member, read in parallel."""
    states = concurrency.each(lambda member: read_member(transport, member, timeout), members)
    return dict((state.member.name, state) for state in states)

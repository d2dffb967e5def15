# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for the text replies of ``CLUSTER NODES``, ``CLUSTER INFO`` and ``INFO``.

Pure functions over strings: the format is the one Redis 7 documents for ``CLUSTER NODES``
(``<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch>
<link-state> <slot> ...``), where a slot entry is a number, a range ``a-b``, or an open
slot ``[slot->-id]`` (migrating) / ``[slot-<-id]`` (importing).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SLOTS = 16384


class NodeLine:
    """One line of ``CLUSTER NODES``: how one member sees one node."""

    def __init__(self, node_id, host, port, cport, hostname, flags, master_id, config_epoch, link_state,
                 slots, migrating, importing):
        self.node_id = node_id
        self.host = host
        self.port = port
        self.cport = cport
        self.hostname = hostname
        self.flags = flags
        self.master_id = master_id
        self.config_epoch = config_epoch
        self.link_state = link_state
        self.slots = slots  # a sorted list of slot numbers
        self.migrating = migrating  # {slot: node id}
        self.importing = importing  # {slot: node id}

    @property
    def myself(self):
        return "myself" in self.flags

    @property
    def is_master(self):
        return "master" in self.flags

    @property
    def is_replica(self):
        return "slave" in self.flags

    @property
    def failed(self):
        return "fail" in self.flags or "fail?" in self.flags

    @property
    def in_handshake(self):
        return "handshake" in self.flags

    @property
    def address(self):
        """``host:port`` as this view has it, or None when the view has no address yet."""
        if not self.host or "noaddr" in self.flags:
            return None
        return "%s:%d" % (self.host, self.port)


def parse_cluster_nodes(text):
    """Return the ``NodeLine`` of every line of a ``CLUSTER NODES`` reply, in reply order."""
    lines = []
    for raw in text.splitlines():
        fields = raw.split()
        if not fields:
            continue
        if len(fields) < 8:
            raise ValueError("CLUSTER NODES line has %d fields, expected at least 8: %r" % (len(fields), raw))
        host, port, cport, hostname = _parse_address(fields[1])
        slots, migrating, importing = _parse_slots(fields[8:])
        lines.append(NodeLine(
            node_id=fields[0],
            host=host,
            port=port,
            cport=cport,
            hostname=hostname,
            flags=frozenset(fields[2].split(",")),
            master_id=None if fields[3] == "-" else fields[3],
            config_epoch=int(fields[6]),
            link_state=fields[7],
            slots=slots,
            migrating=migrating,
            importing=importing,
        ))
    return lines


def _parse_address(field):
    # ip:port@cport[,hostname]; IPv6 hosts contain colons, so split on the last one.
    address, _sep, hostname = field.partition(",")
    hostport, _sep, cport = address.partition("@")
    host, _sep, port = hostport.rpartition(":")
    return host, int(port or 0), int(cport or 0), hostname or None


def _parse_slots(fields):
    slots = []
    migrating = {}
    importing = {}
    for field in fields:
        if field.startswith("["):
            body = field.strip("[]")
            if "->-" in body:
                slot, node_id = body.split("->-")
                migrating[int(slot)] = node_id
            elif "-<-" in body:
                slot, node_id = body.split("-<-")
                importing[int(slot)] = node_id
            else:
                raise ValueError("unknown open-slot entry %r in CLUSTER NODES" % field)
        elif "-" in field:
            first, last = field.split("-")
            slots.extend(range(int(first), int(last) + 1))
        else:
            slots.append(int(field))
    slots.sort()
    return slots, migrating, importing


def parse_info(text):
    """Return ``{field: value}`` of an ``INFO``/``CLUSTER INFO`` reply (values as strings; sections dropped)."""
    fields = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _sep, value = line.partition(":")
        fields[key] = value
    return fields


def slot_ranges(slots):
    """Return ``[(first, last), ...]`` covering the given slot numbers, in order."""
    ranges = []
    for slot in sorted(slots):
        if ranges and ranges[-1][1] == slot - 1:
            ranges[-1] = (ranges[-1][0], slot)
        else:
            ranges.append((slot, slot))
    return ranges


def format_ranges(slots):
    """``[0, 1, 2, 7]`` -> ``"0-2,7"``: how reports and diffs show a set of slots."""
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in slot_ranges(slots))


def parse_ranges(text):
    """``"0-2,7"`` -> ``[0, 1, 2, 7]`` (the inverse of ``format_ranges``)."""
    slots = []
    for part in text.split(","):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        slots.extend(range(int(first), int(last or first) + 1))
    return slots

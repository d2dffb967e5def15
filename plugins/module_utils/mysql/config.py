# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server configuration of each pod, per flavor and ordinal (pure).

Every pod gets the same replication settings (any replica may be promoted, so every
server writes binary logs and logs what it replicates) and its own ``server_id``. Every
server starts read-only: only the module makes a server writable (or the pod's start
script, when the pod carries the primary label the module maintains), so a pod that
restarts never takes writes beside the primary.

Flavors and the settings that differ:

- ``mariadb`` (10.11, 11.x): GTIDs are always on; ``gtid_strict_mode`` makes an
  out-of-order transaction an error instead of a silent divergence; ``read_only``
  (users with READ_ONLY ADMIN, root included, can still write: the module's fence).
- ``mysql`` (8.4 LTS): ``gtid_mode`` and ``enforce_gtid_consistency`` must be on;
  ``super_read_only`` also stops administrative users; replicas resume with
  ``relay_log_recovery`` after a crash; every server loads the clone plugin (a replica
  is seeded with ``CLONE INSTANCE`` from the primary, which needs it on both ends) as
  ``FORCE_PLUS_PERMANENT``: a server that cannot load it fails to start rather than run
  without a way to seed its replicas, and it cannot be uninstalled while the server runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

FLAVORS = ("mariadb", "mysql")
VERSIONS = {"mariadb": ("10.11", "11.4", "11.8"), "mysql": ("8.4",)}
DEFAULT_SERVER_ID_OFFSET = 100
# The basenames are fixed so that they do not follow the host name (a pod IP's reverse).
BINLOG_BASENAME = "binlog"
RELAY_LOG_BASENAME = "relay-bin"
# Options a server reads as often as they are given, each adding to the others: the
# user's own (say, another plugin) go beside ours instead of clashing with them.
ADDITIVE = ("plugin_load_add",)


class ConfigError(ValueError):
    """A flavor, version or ordinal the servers cannot run with."""


def check_flavor(flavor, version):
    if flavor not in FLAVORS:
        raise ConfigError("flavor %r is not one of %s" % (flavor, ", ".join(FLAVORS)))
    major_minor = ".".join(str(version).split(".")[:2])
    if major_minor not in VERSIONS[flavor]:
        raise ConfigError("%s %s is not supported: use one of %s" % (flavor, version, ", ".join(VERSIONS[flavor])))
    return major_minor


def server_id(ordinal, offset=DEFAULT_SERVER_ID_OFFSET):
    """The server_id of the pod with this ordinal: unique in the set, never 0 (0 refuses replication)."""
    if ordinal < 0:
        raise ConfigError("ordinal %d is negative" % ordinal)
    value = offset + ordinal
    if not 1 <= value <= 4294967295:
        raise ConfigError("server_id %d (offset %d + ordinal %d) is out of 1..4294967295" % (value, offset, ordinal))
    return value


def common_settings(flavor, version):
    """``[(name, value)]`` every pod of the set shares, in file order."""
    check_flavor(flavor, version)
    settings = [
        ("log_bin", BINLOG_BASENAME),
        ("relay_log", RELAY_LOG_BASENAME),
        ("binlog_format", "ROW"),
        ("sync_binlog", "1"),
        ("innodb_flush_log_at_trx_commit", "1"),
        ("skip_name_resolve", "ON"),
        ("read_only", "ON"),
    ]
    if flavor == "mariadb":
        settings += [
            ("log_slave_updates", "ON"),
            ("gtid_strict_mode", "ON"),
            ("gtid_domain_id", "0"),
            ("relay_log_recovery", "ON"),
        ]
    else:
        settings = [s for s in settings if s[0] != "binlog_format"]  # deprecated in 8.4, ROW is the default
        settings += [
            ("log_replica_updates", "ON"),
            ("gtid_mode", "ON"),
            ("enforce_gtid_consistency", "ON"),
            ("super_read_only", "ON"),
            ("relay_log_recovery", "ON"),
            ("plugin_load_add", "mysql_clone.so"),
            ("clone", "FORCE_PLUS_PERMANENT"),
        ]
    return settings


def ordinal_settings(ordinal, offset=DEFAULT_SERVER_ID_OFFSET):
    """``[(name, value)]`` of one pod."""
    return [("server_id", str(server_id(ordinal, offset)))]


def render(settings, section="mysqld"):
    """A my.cnf fragment (both servers read ``[mysqld]``)."""
    return "[%s]\n%s\n" % (section, "\n".join("%s = %s" % (name, value) for name, value in settings))


def files(flavor, version, ordinals, offset=DEFAULT_SERVER_ID_OFFSET, extra=None):
    """The ConfigMap's data: ``replication.cnf`` for all, ``server-<ordinal>.cnf`` for each pod.

    ``extra`` (a dict) is the user's own settings, appended to ``replication.cnf``; one of
    ours that it repeats is refused, because the server would silently take the last
    (except the ``ADDITIVE`` ones, which the server adds up).
    """
    common = common_settings(flavor, version)
    extra = dict(extra or {})
    clash = sorted(set(extra) & set(name for name, _value in common + [("server_id", "")]) - set(ADDITIVE))
    if clash:
        raise ConfigError("settings %s are managed by the role; remove them from the extra settings"
                          % ", ".join(clash))
    data = {"replication.cnf": render(common + sorted((k, str(v)) for k, v in extra.items()))}
    for ordinal in ordinals:
        data["server-%d.cnf" % ordinal] = render(ordinal_settings(ordinal, offset))
    return data

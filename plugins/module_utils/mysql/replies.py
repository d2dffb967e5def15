# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One script of queries, one reply per query, whichever way it travelled (pure).

The exec transport feeds the script to the server's own client (``mariadb``/``mysql``
``--batch``) on stdin and gets one text stream back; the direct transport runs each query
through PyMySQL. Both hand the observer the same thing: ``{query name: [row dict]}``
with every value a ``str`` or ``None``.

In the text stream a marker query before each named query (``SELECT '<name>' AS
`@@stateful```) says where one reply ends and the next begins; a query that returns no
rows (``SHOW REPLICA STATUS`` on a server that replicates from nobody) leaves only its
marker.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MARKER = "@@stateful"
_UNESCAPE = {"n": "\n", "t": "\t", "\\": "\\", "0": "\0"}


def script(queries):
    """The text to feed the client for ``[(name, sql)]``."""
    lines = []
    for name, sql in queries:
        lines.append("SELECT '%s' AS `%s`;" % (name, MARKER))
        lines.append(sql.rstrip().rstrip(";") + ";")
    return "\n".join(lines) + "\n"


def _value(field):
    if field == "NULL":
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 1 < len(field):
            out.append(_UNESCAPE.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_batch(text):
    """``{name: [row]}`` from the client's ``--batch`` output of ``script()``."""
    replies, name, header = {}, None, None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == MARKER and i + 1 < len(lines):
            name, header = lines[i + 1], None
            replies[name] = []
            i += 2
            continue
        if name is not None and line != "":
            fields = [_value(f) for f in line.split("\t")]
            if header is None:
                header = fields
            else:
                replies[name].append(dict((header[k], fields[k]) for k in range(min(len(header), len(fields)))))
        i += 1
    return replies


def normalize_row(row):
    """A PyMySQL row with the batch client's value types: ``str`` or ``None``."""
    out = {}
    for key, value in row.items():
        if value is None:
            out[key] = None
        elif isinstance(value, bytes):
            out[key] = value.decode("utf-8", "replace")
        else:
            out[key] = str(value)
    return out

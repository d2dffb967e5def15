"""SPDY/3.1 framing, the server's half: what the API server speaks to a kubelet for exec.

Since Kubernetes 1.30 the API server accepts `kubectl exec` as WebSocket
(v5.channel.k8s.io) and translates it to SPDY/3.1 towards the kubelet (KEP-4006): the
kubelet's streaming server was never given WebSockets for v5. The API server is then the
SPDY client (moby/spdystream): after the HTTP upgrade it opens one stream per channel
(SYN_STREAM with a `streamtype` header: error, stdin, stdout, stderr, resize), the
kubelet accepts each (SYN_REPLY), data frames carry the bytes, FIN half-closes a stream.

Only what that exchange needs is here: frames (SPDY/3 draft, sections 2.2-2.6), header
blocks compressed with zlib and the protocol's dictionary (section 2.6.10.1), PING echo,
GOAWAY. Flow control (WINDOW_UPDATE) is neither sent nor required: spdystream, on both
ends of every kubelet connection, implements none.
"""

import struct
import zlib

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
RST_CANCEL = 5
MAX_FRAME = (1 << 24) - 1

# The dictionary both ends preset in their header compressors (SPDY/3 section 2.6.10.1):
# a list of length-prefixed names and values, then a free-form tail of common values.
_DICTIONARY_WORDS = (
    "options|head|post|put|delete|trace|accept|accept-charset|accept-encoding|accept-language|"
    "accept-ranges|age|allow|authorization|cache-control|connection|content-base|"
    "content-encoding|content-language|content-length|content-location|content-md5|"
    "content-range|content-type|date|etag|expect|expires|from|host|if-match|if-modified-since|"
    "if-none-match|if-range|if-unmodified-since|last-modified|location|max-forwards|pragma|"
    "proxy-authenticate|proxy-authorization|range|referer|retry-after|server|te|trailer|"
    "transfer-encoding|upgrade|user-agent|vary|via|warning|www-authenticate|method|get|status|"
    "200 OK|version|HTTP/1.1|url|public|set-cookie|keep-alive|origin"
)
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def _dictionary():
    words = _DICTIONARY_WORDS.split("|")
    prefix = b"".join(struct.pack(">I", len(w)) + w.encode("latin-1") for w in words)
    return prefix + _DICTIONARY_TAIL.encode("latin-1")


DICTIONARY = _dictionary()


class ProtocolError(Exception):
    pass


class Frame:
    """A control frame (``kind`` is its type) or a data frame (``kind`` is None)."""

    __slots__ = ("kind", "flags", "stream_id", "payload")

    def __init__(self, kind, flags, stream_id, payload):
        self.kind, self.flags, self.stream_id, self.payload = kind, flags, stream_id, payload

    @property
    def fin(self):
        return bool(self.flags & FLAG_FIN)


class Decoder:
    """Frames from a byte stream, fed as it arrives; one per connection direction."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        self.buffer += data
        frames = []
        while len(self.buffer) >= 8:
            first, second = struct.unpack_from(">II", self.buffer)
            length = second & 0xFFFFFF
            if len(self.buffer) < 8 + length:
                break
            payload = bytes(self.buffer[8 : 8 + length])
            del self.buffer[: 8 + length]
            flags = second >> 24
            if first & 0x80000000:
                version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
                if version != VERSION:
                    raise ProtocolError("SPDY version %d, not %d" % (version, VERSION))
                stream_id = struct.unpack_from(">I", payload)[0] & 0x7FFFFFFF if len(payload) >= 4 else 0
                if kind in (SETTINGS, PING):
                    stream_id = 0
                frames.append(Frame(kind, flags, stream_id, payload))
            else:
                frames.append(Frame(None, flags, first & 0x7FFFFFFF, payload))
        return frames


class HeaderCodec:
    """Name/value header blocks; each direction of a session is one zlib stream."""

    def __init__(self):
        self.compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY,
                                           DICTIONARY)
        self.decompressor = zlib.decompressobj(zdict=DICTIONARY)

    def encode(self, headers):
        block = struct.pack(">I", len(headers))
        for name, value in headers.items():
            name, value = name.lower().encode(), value.encode()
            block += struct.pack(">I", len(name)) + name + struct.pack(">I", len(value)) + value
        return self.compressor.compress(block) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

    def decode(self, compressed):
        """A dict of header names to values (several values of one name are joined by NUL)."""
        try:
            block = self.decompressor.decompress(compressed)
        except zlib.error as error:
            raise ProtocolError("header block: %s" % error) from None
        headers, offset = {}, 4
        try:
            (count,) = struct.unpack_from(">I", block)
            for _ in range(count):
                (size,) = struct.unpack_from(">I", block, offset)
                name = block[offset + 4 : offset + 4 + size].decode()
                offset += 4 + size
                (size,) = struct.unpack_from(">I", block, offset)
                value = block[offset + 4 : offset + 4 + size].decode()
                offset += 4 + size
                headers[name] = value
        except (struct.error, UnicodeDecodeError) as error:
            raise ProtocolError("header block: %s" % error) from None
        return headers


def _control(kind, flags, payload):
    return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


def syn_stream_headers(frame, codec):
    """The headers of a SYN_STREAM frame (stream id, associated id, priority, slot, block)."""
    return codec.decode(frame.payload[10:])


def syn_reply(stream_id, codec, headers=None):
    return _control(SYN_REPLY, 0, struct.pack(">I", stream_id) + codec.encode(headers or {}))


def syn_stream(stream_id, codec, headers, fin=False):
    """A SYN_STREAM (what a client sends; the server never opens streams, tests do)."""
    payload = struct.pack(">IIBB", stream_id, 0, 0, 0) + codec.encode(headers)
    return _control(SYN_STREAM, FLAG_FIN if fin else 0, payload)


def data(stream_id, payload=b"", fin=False):
    """One or more data frames carrying ``payload``; the last one has FIN when asked."""
    frames = []
    for start in range(0, max(len(payload), 1), MAX_FRAME):
        chunk = payload[start : start + MAX_FRAME]
        last = start + MAX_FRAME >= len(payload)
        flags = FLAG_FIN if fin and last else 0
        frames.append(struct.pack(">II", stream_id & 0x7FFFFFFF, (flags << 24) | len(chunk)) + chunk)
    return b"".join(frames)


def rst_stream(stream_id, status=RST_CANCEL):
    return _control(RST_STREAM, 0, struct.pack(">II", stream_id, status))


def ping(frame_or_id):
    """The answer to a PING is the same PING."""
    if isinstance(frame_or_id, Frame):
        return _control(PING, 0, frame_or_id.payload[:4])
    return _control(PING, 0, struct.pack(">I", frame_or_id))


def goaway(last_stream_id, status=0):
    return _control(GOAWAY, 0, struct.pack(">II", last_stream_id, status))

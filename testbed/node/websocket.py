"""The server side of RFC 6455 WebSocket, as much as the kubelet API needs.

Only what a streaming endpoint uses: the opening handshake's accept key, a frame
decoder fed with whatever bytes arrive (masked client frames, fragments, control
frames between fragments) and an encoder for unmasked server frames. No extensions:
the Kubernetes clients do not negotiate any.
"""

import base64
import hashlib
import struct

_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_TOO_BIG = 1009

# A client may not make the server buffer more than this in one message.
MAX_MESSAGE = 64 * 1024 * 1024


class ProtocolError(Exception):
    """The peer broke RFC 6455; ``code`` is the close code to answer with."""

    def __init__(self, message, code=CLOSE_PROTOCOL_ERROR):
        super().__init__(message)
        self.code = code


def accept_key(client_key):
    """The Sec-WebSocket-Accept value that answers the client's Sec-WebSocket-Key."""
    digest = hashlib.sha1(client_key.strip().encode("ascii") + _ACCEPT_GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def is_upgrade(headers):
    """True when an HTTP request's headers ask to switch to WebSocket."""
    connection = {token.strip().lower() for token in headers.get("Connection", "").split(",")}
    return "upgrade" in connection and headers.get("Upgrade", "").strip().lower() == "websocket"


def offered_protocols(headers):
    """The subprotocols the client offers, in its order (the header may repeat)."""
    offered = []
    for value in headers.get_all("Sec-WebSocket-Protocol") or ():
        offered.extend(token.strip() for token in value.split(",") if token.strip())
    return offered


def encode(opcode, payload=b""):
    """One unmasked, final frame (servers never mask)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


def encode_close(code=CLOSE_NORMAL, reason=""):
    return encode(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])


def _unmask(mask, data):
    if not data:
        return b""
    # XOR as one big integer: far faster in Python than a byte loop.
    repeated = (mask * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(data), "big")


class Decoder:
    """Turns the bytes read from a client into whole messages.

    ``feed(data)`` returns a list of ``(opcode, payload)``: data messages (fragments
    joined, opcode of the first fragment) and control frames as they come.
    """

    def __init__(self, max_message=MAX_MESSAGE):
        self._buffer = bytearray()
        self._fragments = []
        self._fragment_opcode = None
        self._fragment_size = 0
        self._max_message = max_message

    def feed(self, data):
        self._buffer += data
        messages = []
        while True:
            frame = self._next_frame()
            if frame is None:
                return messages
            message = self._assemble(*frame)
            if message is not None:
                messages.append(message)

    def _next_frame(self):
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        if first & 0x70:
            raise ProtocolError("reserved bits set but no extension was negotiated")
        if not second & 0x80:
            raise ProtocolError("client frame is not masked")
        length = second & 0x7F
        offset = 2
        if length == 126:
            if len(buffer) < 4:
                return None
            (length,) = struct.unpack_from("!H", buffer, 2)
            offset = 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            (length,) = struct.unpack_from("!Q", buffer, 2)
            offset = 10
        if length > self._max_message:
            raise ProtocolError("frame of %d bytes is over the limit" % length, CLOSE_TOO_BIG)
        if len(buffer) < offset + 4 + length:
            return None
        mask = bytes(buffer[offset : offset + 4])
        payload = _unmask(mask, bytes(buffer[offset + 4 : offset + 4 + length]))
        del buffer[: offset + 4 + length]
        return bool(first & 0x80), first & 0x0F, payload

    def _assemble(self, final, opcode, payload):
        if opcode >= OP_CLOSE:
            if not final or len(payload) > 125:
                raise ProtocolError("control frame fragmented or longer than 125 bytes")
            return opcode, payload
        if opcode == OP_CONTINUATION:
            if self._fragment_opcode is None:
                raise ProtocolError("continuation frame without a message to continue")
        elif opcode in (OP_TEXT, OP_BINARY):
            if self._fragment_opcode is not None:
                raise ProtocolError("new data frame before the previous message ended")
            self._fragment_opcode = opcode
        else:
            raise ProtocolError("unknown opcode %d" % opcode)
        self._fragments.append(payload)
        self._fragment_size += len(payload)
        if self._fragment_size > self._max_message:
            raise ProtocolError("message over the limit", CLOSE_TOO_BIG)
        if not final:
            return None
        message = (self._fragment_opcode, b"".join(self._fragments))
        self._fragments, self._fragment_opcode, self._fragment_size = [], None, 0
        return message


def close_code(payload):
    """The status code of a close frame's payload (1005, "no status", when it has none)."""
    if len(payload) >= 2:
        return struct.unpack("!H", payload[:2])[0]
    return 1005

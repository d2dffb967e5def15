"""A counting HTTP proxy on loopback in front of the API server.

The API server of the test bed has no audit log, and its request metrics count every
client together (controllers, scheduler, node agent). A proxy sees exactly the requests
of the one process whose kubeconfig points at it. It listens in plain HTTP on 127.0.0.1
(the client's bearer token crosses loopback only) and forwards each request over TLS,
verified with the cluster's CA, streaming watch responses chunk by chunk.
"""

import http.client
import http.server
import ssl
import threading
import urllib.parse
from collections import Counter

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "host"}


class CountingProxy:
    def __init__(self, upstream, ca_pem):
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 443
        self.context = ssl.create_default_context(cadata=ca_pem)
        self.counts = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the counts are the output
                pass

            def _forward(self):
                proxy.count(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream = http.client.HTTPSConnection(proxy.upstream_host, proxy.upstream_port,
                                                       context=proxy.context, timeout=600)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    self.send_response(response.status, response.reason)
                    for key, value in response.getheaders():
                        if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                            self.send_header(key, value)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    while True:
                        chunk = response.read1(65536)
                        if not chunk:
                            break
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def count(self, method, path):
        parsed = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(parsed.query)
        kind = "WATCH" if query.get("watch") in (["true"], ["1"]) else method
        with self.lock:
            self.counts[(kind, parsed.path)] += 1

    def take(self):
        """The counts since the last call, and reset."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
        return counts

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

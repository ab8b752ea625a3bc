"""An HTTP server on 127.0.0.1 (a free port) in a background thread: the
base of the test servers, usable as a context manager."""
import threading
from http.server import ThreadingHTTPServer


class LoopbackServer:
    name = 'loopback-server'

    def __init__(self):
        self._httpd = None
        self._thread = None

    def _handler_class(self):
        raise NotImplementedError

    def _wrap_socket(self, sock):
        return sock

    @property
    def address(self):
        host, port = self._httpd.server_address[:2]
        return f'{host}:{port}'

    def start(self):
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.socket = self._wrap_socket(self._httpd.socket)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    __enter__ = start

    def __exit__(self, *exc):
        self.stop()

"""A small JSON-over-HTTP endpoint served from a thread of this kernel: the CI server's push
notifications and lesson 06's deploy API. 127.0.0.1, a port the OS picks."""
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[str, dict], tuple[int, dict]]  # (path, JSON body) -> (status, JSON answer)


class JsonEndpoint:
    def __init__(self, answer: Answer, name: str):
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer))
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        # A short poll: stop() waits for it, and a lesson stops several in a row.
        self.thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True, name=name)
        self.thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def _handler(answer: Answer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                status, reply = answer(self.path, body) if isinstance(body, dict) else (
                    400, {"message": "the body must be a JSON object"})
            except ValueError as error:
                status, reply = 400, {"message": f"the body is not JSON: {error}"}
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # no request lines in the notebook
            pass

    return Handler

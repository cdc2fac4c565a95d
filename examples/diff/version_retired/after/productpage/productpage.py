"""A minimal product page: serves /health and /productpage on the given port."""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = b"ok"
        else:
            with open("/etc/meshc/config/settings.json", encoding="utf-8") as f:
                body = json.dumps({"settings": json.load(f)}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9080
    http.server.ThreadingHTTPServer(("", port), Handler).serve_forever()

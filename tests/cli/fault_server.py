#!/usr/bin/env python3
"""A registry server for knit's tests that misbehaves on purpose.

Serves a gen-registry.py folder the way serve-registry.sh's nginx does
(GET /<name> answers <name>/index.json, scoped names as @scope%2fname), on
127.0.0.1 only, and injects faults:

  --fail-first N   answer each path with 500 for its first N requests
  --status CODE    the status used for those failures (500, 429, 503...)
  --log FILE       append each request's target, as the client sent it (a
                   proxied request names the whole URL: http://host/path)

Writes its port to --port-file once listening; runs until killed, or for
--lifetime seconds at most.
"""
import argparse, http.server, os, threading, urllib.parse, collections

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--status", type=int, default=500)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--log")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    seen = collections.Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = urllib.parse.unquote(urllib.parse.urlparse(self.path).path)
            if a.log:
                with lock, open(a.log, "a") as log:
                    log.write(self.path + "\n")
            with lock:
                seen[path] += 1
                n = seen[path]
            if n <= a.fail_first:
                self.send_response(a.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            local = os.path.normpath(os.path.join(root, path.lstrip("/")))
            if not local.startswith(root):
                self.send_error(403)
                return
            if os.path.isdir(local):
                local = os.path.join(local, "index.json")
            if not os.path.isfile(local):
                self.send_error(404)
                return
            with open(local, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    threading.Timer(a.lifetime, server.shutdown).start()
    server.serve_forever()

if __name__ == "__main__":
    main()

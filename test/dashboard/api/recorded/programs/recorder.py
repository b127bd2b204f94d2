# Records agent requests: each body (gunzipped) to OUT/<n>-<endpoint>.json with headers.
import gzip, http.server, json, os, sys, itertools
OUT = sys.argv[2]; os.makedirs(OUT, exist_ok=True)
counter = itertools.count()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline(); break
                body += self.rfile.read(size); self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip": body = gzip.decompress(body)
        n = next(counter)
        name = self.path.strip("/").replace("/", "_")
        with open(f"{OUT}/{n:03d}-{name}.json", "wb") as f: f.write(body)
        with open(f"{OUT}/{n:03d}-{name}.headers", "w") as f: f.write(self.path + "\n" + str(self.headers))
        reply = b"{\"agent_enabled\": \"yes\", \"profiling_disabled\": \"no\"}" if "config" in self.path else b"{}"
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply))); self.end_headers(); self.wfile.write(reply)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()

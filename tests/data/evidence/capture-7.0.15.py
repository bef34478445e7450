#!/usr/bin/env python3
"""Capture real replies from a throwaway redis-server for redis-medic's evidence tests.
Starts servers on spare loopback ports in a temp dir, kills them by PID at the end."""
import os, socket, subprocess, sys, tempfile, time

OUT = sys.argv[1]

def free_port(start):
    for p in range(start, start + 200):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p)); s.close(); return p
        except OSError:
            s.close()
    raise SystemExit("no free port")

def read_reply(f):
    """Read one RESP reply from file-like f; return its raw bytes."""
    line = f.readline()
    t = line[:1]
    if t in (b"+", b"-", b":"):
        return line
    if t == b"$":
        n = int(line[1:-2])
        return line if n < 0 else line + f.read(n + 2)
    if t == b"*":
        n = int(line[1:-2])
        out = line
        for _ in range(max(n, 0)):
            out += read_reply(f)
        return out
    raise RuntimeError("bad reply %r" % line)

def bulk_payload(raw):
    assert raw[:1] == b"$", raw[:80]
    nl = raw.index(b"\r\n")
    return raw[nl + 2:-2]

def cmd(*args):
    b = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        b += b"$%d\r\n%s\r\n" % (len(a), a)
    return b

class Conn:
    def __init__(self, family, addr):
        self.s = socket.socket(family, socket.SOCK_STREAM)
        self.s.connect(addr)
        self.f = self.s.makefile("rb")
    def call(self, *args):
        self.s.sendall(cmd(*args)); return read_reply(self.f)
    def send(self, *args):
        self.s.sendall(cmd(*args))

def wait_up(family, addr, deadline=10):
    t0 = time.time()
    while time.time() - t0 < deadline:
        try:
            c = Conn(family, addr)
            if c.call("PING") == b"+PONG\r\n":
                return c
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")

def write(name, data):
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(data)
    print("wrote", name, len(data))

tmp = tempfile.mkdtemp(prefix="rmd-ev-")
sock = os.path.join(tmp, "s.sock")
procs = []
try:
    port = free_port(17630)
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1 ::1",
                          "--save", "", "--appendonly", "no", "--dir", tmp,
                          "--unixsocket", sock, "--unixsocketperm", "700",
                          "--enable-debug-command", "local",
                          "--latency-monitor-threshold", "10",
                          "--slowlog-log-slower-than", "10000",
                          "--logfile", os.path.join(tmp, "log"), "--daemonize", "no"])
    procs.append(p)
    ctl = wait_up(socket.AF_INET, ("127.0.0.1", port))
    v4, v6, ux = (socket.AF_INET, ("127.0.0.1", port)), (socket.AF_INET6, ("::1", port)), (socket.AF_UNIX, sock)
    keep = []
    def client(where, name=None, then=None):
        c = Conn(*where)
        if name: assert c.call("CLIENT", "SETNAME", name) == b"+OK\r\n"
        if then: c.send(*then)
        keep.append(c); return c
    for _ in range(3): client(v4, "app-pool")
    client(v6, "ipv6-client")
    client(v6)
    client(v4, None, ("SUBSCRIBE", "news"))
    client(v4, None, ("PSUBSCRIBE", "news.*"))
    client(ux, None, ("BLPOP", "q", "0"))
    client(ux, "sidecar")
    client(v4, "worker-1", ("BLPOP", "jobs", "0"))
    client(v4, "svc:orders/v2@eu-1")
    time.sleep(2.2)
    client(v4, "fresh")           # age/idle 0, the others >= 2
    # Slow commands: DEBUG SLEEP, and an EVAL with a long script and many args.
    ctl.call("DEBUG", "SLEEP", "0.05")
    ctl.call("CLIENT", "SETNAME", "ctl")
    ctl.call("DEBUG", "SLEEP", "0.02")
    script = "local i=0 local t=redis.call('TIME') while true do local n=redis.call('TIME') if (n[1]-t[1])*1000000+(n[2]-t[2]) > 30000 then break end i=i+1 end return i"
    ctl.call("EVAL", script, "0", *["arg%d" % i for i in range(40)])
    ctl.call("SET", "k", "v")
    write("info-7.0.15-everything.crlf.txt", bulk_payload(ctl.call("INFO", "everything")))
    write("clientlist-7.0.15.txt", bulk_payload(ctl.call("CLIENT", "LIST")))
    write("slowlog-7.0.15.resp", ctl.call("SLOWLOG", "GET", "32"))
    write("latency-7.0.15.resp", ctl.call("LATENCY", "LATEST"))
    # Error replies as the server words them, for rmd_item_status_of_error.
    errs = []
    for c in (("NOSUCHCMD", "x"), ("LATENCY", "NOSUCHSUB"), ("CLIENT", "NOSUCHSUB"), ("CONFIG", "GET")):
        errs.append(ctl.call(*c))
    assert ctl.call("ACL", "SETUSER", "limited", "on", ">pw", "+ping", "+auth") == b"+OK\r\n"
    lim = Conn(*v4)
    assert lim.call("AUTH", "limited", "pw") == b"+OK\r\n"
    errs.append(lim.call("CONFIG", "GET", "maxclients"))
    errs.append(lim.call("INFO"))
    write("errors-7.0.15.resp", b"".join(errs))
    # redis-cli's rendering of INFO (what a user would paste).
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "everything"], capture_output=True, check=True).stdout
    write("info-7.0.15-everything.redis-cli.txt", out)
    for c in keep: c.s.close()

    cport = free_port(port + 1)
    q = subprocess.Popen(["redis-server", "--port", str(cport), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", "--dir", tmp,
                          "--cluster-enabled", "yes", "--cluster-config-file", os.path.join(tmp, "nodes.conf"),
                          "--logfile", os.path.join(tmp, "log2"), "--daemonize", "no"])
    procs.append(q)
    cc = wait_up(socket.AF_INET, ("127.0.0.1", cport))
    write("clusterinfo-7.0.15-noslots.txt", bulk_payload(cc.call("CLUSTER", "INFO")))
    cc.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
    for _ in range(50):
        raw = bulk_payload(cc.call("CLUSTER", "INFO"))
        if b"cluster_state:ok" in raw: break
        time.sleep(0.1)
    write("clusterinfo-7.0.15-ok.txt", raw)
finally:
    for pr in procs:
        pr.kill()   # by PID, the server we started
        pr.wait()
    print("killed", [pr.pid for pr in procs])

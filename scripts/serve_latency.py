"""Time from saving a file to `grove serve`'s reload signal.

    python3 scripts/serve_latency.py PORT FILE RUNS [grow|summary|title]

Connects to the site's event stream on 127.0.0.1:PORT, edits FILE (a page or
a template of that site), and measures until `event: reload` (or `css`)
arrives; prints the median over RUNS edits. Each edit replaces the last line
"Edit N." with the next one, which keeps a page's word count; with `grow`,
each edit adds a line, so the page's word count changes too; with `summary`,
each edit changes the page's summary (its text before `<!-- more -->`), which
listings show; with `title`, each edit changes the page's title.
"""
import socket, sys, time, re
port = int(sys.argv[1]); path = sys.argv[2]; runs = int(sys.argv[3])
mode = sys.argv[4] if len(sys.argv) > 4 else "same"
times = []
for n in range(runs):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /__grove/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    s.settimeout(30)
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    text = open(path).read()
    if mode == "grow":
        text += "\nGrown %d.\n" % n
    elif mode == "title":
        text = re.sub(r'^title = "(.*?)( v\d+)?"$', lambda m: 'title = "%s v%d"' % (m.group(1), n),
                      text, count=1, flags=re.M)
    elif mode == "summary":
        end = text.index("+++\n", 4) + 4
        body = re.sub(r"^Summary \d+\. ", "", text[end:])
        text = text[:end] + "Summary %d. " % n + body
    else:
        text = re.sub(r"\nEdit \d+\.\n$", "", text) + "\nEdit %d.\n" % n
    t0 = time.time()
    open(path, "w").write(text)
    data = b""
    while b"event: reload" not in data and b"event: css" not in data:
        data += s.recv(4096)
    times.append(time.time() - t0)
    s.close()
    time.sleep(0.5)
times.sort()
print("median %.0f ms (runs: %s)" % (times[len(times)//2]*1000, ", ".join("%.0f" % (t*1000) for t in times)))

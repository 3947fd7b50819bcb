#!/usr/bin/env python3
"""Worker-process benchmarks (BENCHMARKS.md, "Worker processes"), release binary, one run, side by side:
  0. a worker's memory: idle per OCR thread, and at the peak of a scanned page (budget.rs's constants);
  1. throughput on scan_long_20p.pdf: 4 copies through `serve` (worker processes, WORKERS=2) next to
     the same 4 copies through `extract` (the engine in-process, 2 OCR threads) -> ratio;
  2. added latency per 1-page document: 50 born-digital 1-page documents through one `worker` process
     over its pipe (the supervisor's protocol) next to `extract` of the same 50 files in one process;
  3. 200 documents at once to one service (WORKERS=2, MEMORY_LIMIT_MB=512), 20 of them hostile
     (recursive form XObjects, a 9500x9500 PNG of 90 KB, a text layer of 3 M words, and the corpus's
     bad inputs): lost, stuck, codes, attempts, peak memory of the process tree.
Run through `scripts/bench.sh workers` (it builds what is needed); `... workers memory` etc. for one part."""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request, uuid, zlib, struct
import boto3
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import KEY, free_port, http, wait_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED_DIR", os.path.join(ROOT, "..", "shared"))
CORPUS = os.path.join(SHARED, "corpus")
BIN = os.path.join(ROOT, "target", "release", "document-processor")
ENV_BASE = dict(os.environ, PDFIUM_LIB_PATH=os.path.join(ROOT, ".local/lib"), OMP_THREAD_LIMIT="1")

def pdf(bodies):
    out = bytearray(b"%PDF-1.7\n"); offs = []
    for i, b in enumerate(bodies):
        offs.append(len(out)); out += f"{i+1} 0 obj\n{b}\nendobj\n".encode()
    x = len(out)
    out += f"xref\n0 {len(bodies)+1}\n0000000000 65535 f \n".encode()
    for o in offs: out += f"{o:010} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(bodies)+1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n".encode()
    return bytes(out)

def stream(d, data): return f"<< {d} /Length {len(data)} >>\nstream\n{data}\nendstream"

def recursive_xobjects():
    b = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X0 5 0 R >> >> >>",
         stream("", "q /X0 Do Q")]
    for lvl in range(5):
        if lvl < 4:
            draws = "".join(f"q 1 0 0 1 {i%8} {i//8} cm /X{lvl+1} Do Q " for i in range(60))
            b.append(stream(f"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X{lvl+1} {6+lvl} 0 R >> >>", draws))
        else:
            b.append(stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792]", "0 0 m 300 300 l 10 400 l h f 5 5 200 200 re S"))
    return pdf(b)

def word_explosion():
    line = "(" + "ab " * 100 + ") '\n"
    content = "BT /F1 2 Tf 5 TL 20 780 Td\n" + line * 150 + "ET"
    kids = "".join(f"{5+i} 0 R " for i in range(200))
    b = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count 200 >>",
         "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", stream("", content)]
    b += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"] * 200
    return pdf(b)

def huge_png(side=9500):
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * side
    data = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) + chunk(b"IDAT", data) + chunk(b"IEND", b"")

def tree_rss_kb(root):
    kids = {}
    for p in os.listdir("/proc"):
        if not p.isdigit(): continue
        try:
            stat = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(p))
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        try:
            total += int(open(f"/proc/{pid}/statm").read().split()[1]) * 4
        except OSError:
            pass
    return total

SPEC = lambda threads: {"config": {"limits": {"max_file_bytes": 52428800, "max_pages": 200, "max_page_pixels": 100_000_000,
                                  "document_timeout": {"secs": 900, "nanos": 0}, "max_page_words": 20000, "max_document_words": 200000},
                       "ocr_mode": "auto", "ocr_dpi": 300, "languages": "eng", "tessdata": None, "workers": threads,
                       "pdfium_lib_path": os.path.join(ROOT, ".local/lib"), "qr": {"zxing": True, "rqrr": False}}}

def status_kb(pid, field):
    return int(next(l for l in open(f"/proc/{pid}/status") if l.startswith(field)).split()[1])

def worker_memory():
    """A worker's resident memory idle (per OCR thread) and at the peak of a scanned page: the
    constants of crates/service/src/worker/budget.rs."""
    rows = []
    for threads in (1, 2):
        w = subprocess.Popen([BIN, "worker"], env=dict(ENV_BASE, MALLOC_ARENA_MAX="2"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        w.stdin.write((json.dumps(SPEC(threads)) + "\n").encode()); w.stdin.flush()
        assert json.loads(w.stdout.readline())["ok"]
        idle = status_kb(w.pid, "VmRSS")
        peaks = []
        for name in ("scan_letter_01.pdf", "scan_invoice_01.pdf", "img_letter_01.jpg"):
            w.stdin.write((json.dumps({"path": os.path.join(CORPUS, name), "hint": None}) + "\n").encode()); w.stdin.flush()
            r = json.loads(w.stdout.readline())
            px = max(p["width"] * p["height"] for p in r["pages"])
            peaks.append((name, px, status_kb(w.pid, "VmHWM")))
        w.stdin.close(); w.wait()
        rows.append((threads, idle, peaks))
    base1 = rows[0][1]
    for threads, idle, peaks in rows:
        print(f"worker with {threads} OCR thread(s): idle {idle//1024} MB resident; peak after "
              + ", ".join(f"{n} ({px/1e6:.1f} M px): {hwm//1024} MB" for n, px, hwm in peaks))
    per_thread = (rows[1][1] - rows[0][1]) / 1024
    name, px, hwm = max(rows[0][2], key=lambda r: r[2])
    print(f"  per OCR thread: {per_thread:.0f} MB; one thread's page peak over idle: {(hwm - base1)/1024:.0f} MB for "
          f"{px/1e6:.1f} M px = {(hwm - base1) * 1024 / px:.1f} bytes per page pixel (budget.rs uses 14)")

def main():
    what = sys.argv[1:] or ["memory", "throughput", "latency", "hostile"]
    if "memory" in what:
        worker_memory()
    moto_port = free_port()
    moto = subprocess.Popen([os.path.join(ROOT, ".local/venv/bin/python"), os.path.join(ROOT, "scripts/moto_server.py"), "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [moto]
    tmp = tempfile.mkdtemp(prefix="bench-workers-")
    try:
        wait_port(moto_port)
        endpoint = f"http://127.0.0.1:{moto_port}"
        env = dict(ENV_BASE, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        bucket = "bench-docs"
        s3.create_bucket(Bucket=bucket)

        def table():
            name = f"results-{uuid.uuid4().hex[:8]}"
            ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "status", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                GlobalSecondaryIndexes=[{"IndexName": "status-index", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["lease_expires_at"]}}])
            return name

        def start(tbl, *extra):
            port = free_port()
            p = subprocess.Popen([BIN, "serve", "--port", str(port), "--bind-address", "127.0.0.1", "--table", tbl,
                                  "--document-bucket", bucket, "--api-key", KEY, "--log-format", "json", *extra],
                                 env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, f"svc-{port}.log"), "w"))
            procs.append(p)
            wait_port(port)
            return p, f"http://127.0.0.1:{port}"

        def put(tbl, i, key, ft):
            ddb.put_item(TableName=tbl, Item={"id": {"S": i}, "bucket": {"S": bucket}, "key": {"S": key},
                                               "status": {"S": "pending"}, "file_type": {"S": ft}})

        def item(tbl, i):
            return ddb.get_item(TableName=tbl, Key={"id": {"S": i}}, ConsistentRead=True)["Item"]

        def wait_all(tbl, ids, timeout):
            end = time.time() + timeout
            while time.time() < end:
                items = [item(tbl, i) for i in ids]
                if all(it["status"]["S"] in ("completed", "failed") for it in items):
                    return items
                time.sleep(0.5)
            return [item(tbl, i) for i in ids]

        if "throughput" in what:
            long = os.path.join(CORPUS, "scan_long_20p.pdf")
            s3.put_object(Bucket=bucket, Key="in/long.pdf", Body=open(long, "rb").read())
            copies = []
            for n in range(4):
                p = os.path.join(tmp, f"long{n}.pdf"); shutil.copy(long, p); copies.append(p)
            t = time.perf_counter()
            subprocess.run([BIN, "extract", "--quiet", "--workers", "2", "--out-dir", os.path.join(tmp, "out"), *copies],
                           env=ENV_BASE, check=True, stdout=subprocess.DEVNULL)
            in_process = time.perf_counter() - t
            tbl = table()
            svc, base = start(tbl, "--workers", "2", "--memory-limit-mb", "512")
            ids = [f"long-{n}" for n in range(4)]
            t = time.perf_counter()
            for i in ids:
                put(tbl, i, "in/long.pdf", "pdf")
                assert http("POST", f"{base}/process", {"record": {"document_id": i, "bucket": bucket, "key": "in/long.pdf", "status": "pending"}})[0] == 202
            items = wait_all(tbl, ids, 900)
            workers = time.perf_counter() - t
            assert all(it["status"]["S"] == "completed" for it in items), items
            svc.send_signal(signal.SIGTERM); svc.wait(60)
            print(f"4 x scan_long_20p.pdf (80 pages): in-process `extract --workers 2` {in_process:.1f} s "
                  f"({80/in_process:.2f} pages/s); `serve` with worker processes (WORKERS=2, 512 MB) {workers:.1f} s "
                  f"({80/workers:.2f} pages/s); ratio {in_process/workers:.2f}")

        if "latency" in what:
            doc = os.path.join(CORPUS, "bd_invoice_01.pdf")
            files = []
            for n in range(50):
                p = os.path.join(tmp, f"inv{n}.pdf"); shutil.copy(doc, p); files.append(p)
            def extract_run():
                t = time.perf_counter()
                subprocess.run([BIN, "extract", "--quiet", "--workers", "1", *files], env=ENV_BASE, check=True, stdout=subprocess.DEVNULL)
                return time.perf_counter() - t
            def worker_run():
                spec = SPEC(1)
                t = time.perf_counter()
                w = subprocess.Popen([BIN, "worker"], env=ENV_BASE, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                w.stdin.write((json.dumps(spec) + "\n").encode()); w.stdin.flush()
                assert json.loads(w.stdout.readline())["ok"]
                for f in files:
                    w.stdin.write((json.dumps({"path": f, "hint": "pdf"}) + "\n").encode()); w.stdin.flush()
                    assert "error" not in json.loads(w.stdout.readline()) or True
                w.stdin.close(); w.wait()
                return time.perf_counter() - t
            runs = [(extract_run(), worker_run()) for _ in range(3)]
            e = min(r[0] for r in runs); wk = min(r[1] for r in runs)
            print(f"50 x 1-page born-digital PDF, one process each way (best of 3): in-process extract {e*1000/50:.1f} ms/doc, "
                  f"through a worker's pipe {wk*1000/50:.1f} ms/doc: added {(wk-e)*1000/50:+.1f} ms per document")

        if "hostile" in what:
            tbl = table()
            hostile = {"xobjects.pdf": recursive_xobjects(), "pixels.png": huge_png(), "words.pdf": word_explosion()}
            for name in ["bad_bomb_60000.png", "bad_huge_page.pdf", "bad_blank_1000p.pdf", "bad_encrypted.pdf", "bad_truncated.pdf", "bad_random_bytes.pdf"]:
                hostile[name] = open(os.path.join(CORPUS, name), "rb").read()
            for name, data in hostile.items():
                s3.put_object(Bucket=bucket, Key=f"hostile/{name}", Body=data)
            innocent = [f for f in sorted(os.listdir(CORPUS)) if f.split("_")[0] in ("bd", "img", "scan", "mixed", "qr") and f != "scan_long_20p.pdf" and not f.endswith(".json")]
            for f in innocent:
                s3.put_object(Bucket=bucket, Key=f"in/{f}", Body=open(os.path.join(CORPUS, f), "rb").read())
            docs = []
            names = list(hostile)
            for n in range(200):
                if n % 10 == 3:
                    name = names[(n // 10) % len(names)]
                    docs.append((f"h{n:03}", f"hostile/{name}", name.rsplit(".", 1)[1], True))
                else:
                    f = innocent[n % len(innocent)]
                    docs.append((f"d{n:03}", f"in/{f}", f.rsplit(".", 1)[1], False))
            svc, base = start(tbl, "--workers", "2", "--memory-limit-mb", "512", "--sweep-interval-secs", "2", "--queue-capacity", "8")
            peak = [0]; stop = [False]
            def watch():
                while not stop[0]:
                    peak[0] = max(peak[0], tree_rss_kb(svc.pid)); time.sleep(0.05)
            threading.Thread(target=watch, daemon=True).start()
            for i, key, ft, _ in docs:
                put(tbl, i, key, ft)
            t = time.perf_counter()
            codes = {}
            def post(doc):
                i, key, ft, _ = doc
                codes[i] = http("POST", f"{base}/process", {"record": {"document_id": i, "bucket": bucket, "key": key, "status": "pending", "file_type": ft}})[0]
            threads = [threading.Thread(target=post, args=(d,)) for d in docs]
            [th.start() for th in threads]; [th.join() for th in threads]
            items = wait_all(tbl, [d[0] for d in docs], 1800)
            took = time.perf_counter() - t
            stop[0] = True
            alive = svc.poll() is None
            by = {it["id"]["S"]: it for it in items}
            lost = sum(1 for d in docs if d[0] not in by)
            stuck = sum(1 for it in items if it["status"]["S"] not in ("completed", "failed"))
            inn = [by[d[0]] for d in docs if not d[3]]
            hos = [(d, by[d[0]]) for d in docs if d[3]]
            inn_ok = sum(1 for it in inn if it["status"]["S"] == "completed" and it["attempts"]["N"] == "1")
            hos_codes = {}
            for d, it in hos:
                hos_codes.setdefault(d[1].split("/")[1], set()).add(f'{it["status"]["S"]}/{it.get("error_code", {}).get("S", "-")}/attempts {it["attempts"]["N"]}')
            print(f"200 documents at once (20 hostile), WORKERS=2, MEMORY_LIMIT_MB=512: {took:.0f} s; "
                  f"{sum(1 for c in codes.values() if c == 202)} x 202, {sum(1 for c in codes.values() if c == 503)} x 503 (left to the sweep); "
                  f"lost {lost}, stuck in processing {stuck}; innocent completed at attempt 1: {inn_ok}/{len(inn)}; "
                  f"service alive: {alive}; peak RSS of the service and its workers: {peak[0]//1024} MB")
            for name, c in sorted(hos_codes.items()):
                print(f"  hostile {name}: {', '.join(sorted(c))}")
            bad = [(it['id']['S'], it['status']['S'], it.get('error_code', {}).get('S')) for it in inn if not (it["status"]["S"] == "completed" and it["attempts"]["N"] == "1")]
            if bad:
                print(f"  innocent not completed at attempt 1: {bad}")
            svc.send_signal(signal.SIGTERM); svc.wait(120)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()

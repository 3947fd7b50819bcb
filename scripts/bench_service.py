#!/usr/bin/env python3
"""Service benchmarks (BENCHMARKS.md), against moto's server on loopback and the release binary:
  1. /health requests/s with wrk (2 threads, 64 connections, 10 s);
  2. the service's own overhead per 1-page document: POST /process?wait=true latency minus the
     document's processing_ms (download + extraction), i.e. claim + result write + HTTP;
  3. peak RSS (VmHWM) while 50 /process requests for the long scanned PDF arrive at once with
     QUEUE_CAPACITY=8 and one worker; every record is then accounted for (nothing lost).
Run through scripts/bench-service.sh (it installs and builds what is needed)."""
import json, os, signal, socket, statistics, subprocess, sys, threading, time, urllib.request, uuid
import boto3
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import KEY, free_port, http, wait_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED_DIR", os.path.join(ROOT, "..", "shared"))
BIN = os.path.join(ROOT, "target", "release", "document-processor")

def main():
    moto_port = free_port()
    moto = subprocess.Popen([os.path.join(ROOT, ".local/venv/bin/python"), os.path.join(ROOT, "scripts/moto_server.py"), "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [moto]
    try:
        wait_port(moto_port)
        endpoint = f"http://127.0.0.1:{moto_port}"
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   PDFIUM_LIB_PATH=os.path.join(ROOT, ".local/lib"))
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        bucket, table = "bench-docs", "document-processor-results"
        s3.create_bucket(Bucket=bucket)
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "status", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "status-index", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["lease_expires_at"]}}])
        with open(os.path.join(ROOT, "samples", "invoice.pdf"), "rb") as f:
            s3.put_object(Bucket=bucket, Key="in/invoice.pdf", Body=f.read())
        with open(os.path.join(SHARED, "corpus", "scan_long_20p.pdf"), "rb") as f:
            s3.put_object(Bucket=bucket, Key="in/long.pdf", Body=f.read())

        def start(workers, capacity):
            port = free_port()
            p = subprocess.Popen([BIN, "serve", "--port", str(port), "--bind-address", "127.0.0.1", "--table", table,
                                  "--document-bucket", bucket, "--api-key", KEY, "--log-format", "json",
                                  "--workers", str(workers), "--queue-capacity", str(capacity), "--sweep-interval-secs", "3600"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            wait_port(port)
            return p, f"http://127.0.0.1:{port}"

        # 1. /health
        svc, base = start(2, 8)
        out = subprocess.run(["wrk", "-t2", "-c64", "-d10s", f"{base}/health"], capture_output=True, text=True).stdout
        rps = next(l for l in out.splitlines() if l.startswith("Requests/sec")).split()[-1]
        lat = next(l for l in out.splitlines() if l.strip().startswith("Latency")).split()[1]
        print(f"/health: {rps} requests/s (wrk -t2 -c64 -d10s, mean latency {lat})")

        # 2. overhead per 1-page document (born-digital: extraction is a few ms)
        lat, proc = [], []
        for i in range(30):
            rec = {"record": {"document_id": f"inv-{i}", "bucket": bucket, "key": "in/invoice.pdf", "status": "pending", "file_type": "pdf"}}
            t = time.perf_counter()
            status, body = http("POST", f"{base}/process?wait=true", rec)
            lat.append((time.perf_counter() - t) * 1000)
            assert status == 200 and body["status"] == "completed", body
            proc.append(body["processing_ms"])
        print(f"1-page born-digital document, POST ?wait=true: median {statistics.median(lat):.1f} ms; "
              f"processing_ms (S3 download + extraction) median {statistics.median(proc):.0f} ms; "
              f"claim + result write + HTTP: median {statistics.median(l - p for l, p in zip(lat, proc)):.1f} ms (n=30)")
        svc.send_signal(signal.SIGTERM); svc.wait(30)

        # 3. 50 requests for the 20-page scan at once, QUEUE_CAPACITY=8, one worker
        svc, base = start(1, 8)
        ids = [f"long-{uuid.uuid4().hex[:8]}" for _ in range(50)]
        for i in ids:
            ddb.put_item(TableName=table, Item={"id": {"S": i}, "bucket": {"S": bucket}, "key": {"S": "in/long.pdf"},
                                                 "status": {"S": "pending"}, "file_type": {"S": "pdf"}})
        codes = {}
        def post(i):
            codes[i] = http("POST", f"{base}/process", {"record": {"document_id": i, "bucket": bucket, "key": "in/long.pdf", "status": "pending"}})[0]
        threads = [threading.Thread(target=post, args=(i,)) for i in ids]
        [t.start() for t in threads]; [t.join() for t in threads]
        accepted = sum(1 for c in codes.values() if c == 202)
        refused = sum(1 for c in codes.values() if c == 503)
        time.sleep(60)  # the first documents are processed meanwhile
        hwm = next(l for l in open(f"/proc/{svc.pid}/status") if l.startswith("VmHWM")).split()[1]
        statuses = [ddb.get_item(TableName=table, Key={"id": {"S": i}}, ConsistentRead=True)["Item"]["status"]["S"] for i in ids]
        print(f"50 concurrent /process for scan_long_20p.pdf (QUEUE_CAPACITY=8, WORKERS=1): {accepted} x 202, {refused} x 503; "
              f"peak RSS after 60 s: {int(hwm) // 1024} MB")
        svc.send_signal(signal.SIGTERM); svc.wait(150)
        after = [ddb.get_item(TableName=table, Key={"id": {"S": i}}, ConsistentRead=True)["Item"]["status"]["S"] for i in ids]
        count = lambda xs: {s: xs.count(s) for s in sorted(set(xs))}
        print(f"  records at 60 s: {count(statuses)}; after SIGTERM: {count(after)} (none lost, none left processing)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

if __name__ == "__main__":
    main()

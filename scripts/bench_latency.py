"""Insert -> completed latency on the local stack, one document at a time, split by the timestamps
each part writes: the client's insert, the relay's `batch received` log line, the service's claim
(`processing_started_at`) and its `completed_at`. Same machine, same clock.

Usage: bench_latency.py STACK_DIR FILE RUNS
"""

import json
import os
import statistics
import sys
import time
import uuid
from datetime import datetime

import boto3


def env(stack_dir):
    values = {}
    with open(os.path.join(stack_dir, "stack.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            values[k] = v
    return values


def stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def relay_line(stack_dir, doc_id, message):
    with open(os.path.join(stack_dir, "relay.log")) as f:
        for line in f:
            if doc_id in line and f'"{message}"' in line:
                return stamp(json.loads(line)["timestamp"])
    raise SystemExit(f"no '{message}' line for {doc_id} in relay.log")


def main(stack_dir, path, runs):
    e = env(stack_dir)
    kw = dict(endpoint_url=e["AWS_ENDPOINT_URL"], region_name="us-east-1",
              aws_access_key_id="local", aws_secret_access_key="local")
    s3, ddb = boto3.client("s3", **kw), boto3.client("dynamodb", **kw)
    bucket, table = e["DOCUMENT_BUCKET"], e["DYNAMODB_TABLE_NAME"]
    key = "bench/" + os.path.basename(path)
    s3.upload_file(path, bucket, key)
    rows = []
    for i in range(runs + 1):  # the first run warms the engines up and is not counted
        doc_id = f"latency-{uuid.uuid4()}"
        t0 = time.time()
        ddb.put_item(TableName=table, Item={
            "id": {"S": doc_id}, "bucket": {"S": bucket}, "key": {"S": key},
            "status": {"S": "pending"}, "file_type": {"S": path.rsplit(".", 1)[-1]}})
        while True:
            item = ddb.get_item(TableName=table, Key={"id": {"S": doc_id}},
                                ConsistentRead=True)["Item"]
            if item["status"]["S"] in ("completed", "failed"):
                t_seen = time.time()
                break
            time.sleep(0.02)
        assert item["status"]["S"] == "completed", item
        time.sleep(0.3)  # let the relay's log line reach the file
        t_relay = relay_line(stack_dir, doc_id, "batch received")
        t_accepted = relay_line(stack_dir, doc_id, "forwarded")
        t_claim = stamp(item["processing_started_at"]["S"])
        t_done = stamp(item["completed_at"]["S"])
        if i == 0:
            continue
        rows.append({
            "stream_relay": t_relay - t0,
            "hop": t_claim - t_relay,
            "accepted": t_accepted - t_relay,
            "processing": t_done - t_claim,
            "insert_to_completed": t_done - t0,
            "observed": t_seen - t0,
        })
        time.sleep(0.1)

    def fmt(name, label):
        v = sorted(r[name] * 1000 for r in rows)
        p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
        # int(round()) rather than :.0f, which prints -0 for the sub-ms negatives of ms-precision stamps.
        cells = " | ".join(str(int(round(x))) for x in (statistics.median(v), p90, max(v)))
        return f"| {label} | {cells} |"

    print(f"{runs} runs of {os.path.basename(path)}, one at a time (ms)\n")
    print("| part | median | p90 | max |\n|---|---|---|---|")
    print(fmt("stream_relay", "insert -> relay has the record (stream + relay poll)"))
    print(fmt("hop", "relay -> service claimed it (handler, HTTP POST, claim)"))
    print(fmt("accepted", "relay -> service answered 202 (the whole Lambda hop)"))
    print(fmt("processing", "claim -> completed (download, OCR, write)"))
    print(fmt("insert_to_completed", "insert -> completed"))
    print(fmt("observed", "insert -> client saw completed (20 ms polling)"))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

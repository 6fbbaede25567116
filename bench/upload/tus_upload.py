#!/usr/bin/env python3
"""The upload benchmark's tus client (bench/upload.sh): POST then PATCHes of --piece bytes on one
keep-alive connection, as the page's uploader does. Prints one JSON line: seconds, bytes/s, the
blob's SHA-256 (Message-Seq of the last answer proves the message was made)."""
import argparse
import base64
import http.client
import json
import os
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--piece", type=int, default=64 << 20, help="bytes per PATCH")
    p.add_argument("--token", default="b" * 21 + "A", help="identity token")
    a = p.parse_args()
    size = os.path.getsize(a.file)
    auth = {"Tus-Resumable": "1.0.0", "Authorization": "Identity " + a.token}
    meta = "filename " + base64.b64encode(b"bench.bin").decode() + ",room " + base64.b64encode(b"lobby").decode()
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
    start = time.monotonic()
    conn.request("POST", "/files/uploads", headers={**auth, "Upload-Length": str(size), "Upload-Metadata": meta})
    r = conn.getresponse()
    r.read()
    if r.status != 201:
        sys.exit(f"tus_upload: POST answered {r.status}")
    path = r.getheader("Location")
    last = None
    with open(a.file, "rb", buffering=0) as f:
        at = 0
        while at < size:
            piece = f.read(min(a.piece, size - at))
            conn.request("PATCH", path, body=piece,
                         headers={**auth, "Upload-Offset": str(at), "Content-Type": "application/offset+octet-stream"})
            last = conn.getresponse()
            last.read()
            if last.status != 204:
                sys.exit(f"tus_upload: PATCH at {at} answered {last.status}")
            at += len(piece)
    seconds = time.monotonic() - start
    print(json.dumps({"seconds": seconds, "bytes_per_s": size / seconds, "message_seq": last.getheader("Message-Seq")}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Sends a fixed number of bench/rest requests, one after another on one
keep-alive connection, as wrk.lua shapes them (run.sh's MEASURE=instructions:
a count, not a rate, so that instructions per request can be taken).

  send_requests.py BASE COUNT list|junction|function PATH
  send_requests.py BASE COUNT insert BODIES_FILE

BENCH_TOKEN is the user's access token. Exits non-zero on the first answer
that is not 200 (reads) or 201 (inserts)."""
import http.client
import os
import sys
import urllib.parse


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    base, count, mode, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    headers = {"Authorization": "Bearer " + os.environ["BENCH_TOKEN"]}
    if mode == "insert":
        with open(what) as file:
            bodies = [line.strip() for line in file if line.strip()]
        headers["Content-Type"] = "application/json"
        expected = 201
    else:
        expected = 200
    for i in range(count):
        if mode == "insert":
            connection.request("POST", "/rest/v1/messages", bodies[i % len(bodies)], headers)
        else:
            connection.request("GET", what, headers=headers)
        answer = connection.getresponse()
        text = answer.read()
        if answer.status != expected:
            sys.exit(f"send_requests.py: request {i} answered {answer.status}: {text[:300]!r}")
    connection.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Cold start of a Lambda function: process start -> first response posted to the Runtime API.

Serves the documented Runtime API (2018-06-01) on 127.0.0.1, starts the function's process with
AWS_LAMBDA_RUNTIME_API pointing at it, hands it one event and times until POST .../response
arrives. Repeats, then prints the median per command. Usage:

  lambda_coldstart.py --event EVENT_JSON --runs N --env K=V ... -- LABEL=COMMAND [LABEL=COMMAND ...]
"""
import argparse
import http.server
import json
import os
import shlex
import statistics
import subprocess
import threading
import time


class RuntimeApi(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, event):
        super().__init__(("127.0.0.1", 0), Handler)
        self.event = event.encode()
        self.lock = threading.Lock()
        self.pending = None  # request id to hand out on the next GET /next
        self.done = threading.Event()
        self.outcome = None

    def handle_error(self, request, client_address):
        pass  # the killed function's long poll resets its connection; that is expected


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        if self.path != "/2018-06-01/runtime/invocation/next":
            self.send_error(404)
            return
        with server.lock:
            request_id, server.pending = server.pending, None
        if request_id is None:
            # Long poll: the process is killed before another event would come.
            time.sleep(3600)
            return
        deadline = int(time.time() * 1000) + 60_000
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(server.event)))
        self.end_headers()
        self.wfile.write(server.event)

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        server.outcome = (self.path.rsplit("/", 1)[-1], body.decode())
        server.done.set()


def run_once(event, command, env, index):
    # A fresh server per run: a killed process's last GET /next may still sit in the old
    # server's socket queue and must not take the next run's event.
    api = RuntimeApi(event)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    api.pending = f"bench-{index}"
    env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{api.server_address[1]}")
    started = time.perf_counter_ns()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not api.done.wait(120):
            raise SystemExit(f"no response from {command} within 120 s")
        elapsed_ms = (time.perf_counter_ns() - started) / 1e6
    finally:
        process.kill()
        process.wait()
        api.shutdown()
        api.server_close()
    kind, body = api.outcome
    if kind != "response":
        raise SystemExit(f"{command} posted {kind}: {body}")
    return elapsed_ms, body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--event", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("commands", nargs="+", help="LABEL=COMMAND")
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(kv.split("=", 1) for kv in args.env)

    results = {}
    for spec in args.commands:
        label, command = spec.split("=", 1)
        command = shlex.split(command)
        run_once(args.event, command, env, 0)  # warm the OS file cache; not counted
        times = []
        for i in range(args.runs):
            ms, body = run_once(args.event, command, env, i + 1)
            times.append(ms)
        results[label] = statistics.median(times)
        print(f"{label}: median {results[label]:.1f} ms over {args.runs} runs "
              f"(min {min(times):.1f}, max {max(times):.1f}); response {body[:120]}")
    print(json.dumps({label: round(ms, 1) for label, ms in results.items()}))


if __name__ == "__main__":
    main()

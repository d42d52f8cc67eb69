#!/usr/bin/python3
"""Fake notification receivers for docket's integration tests.

One script, four kinds (--kind slack|teams|pagerduty|webhook), each
enforcing its contract from CONTRACTS.md:

  slack      JSON with text and/or blocks; block limits -> 400
             invalid_blocks; no text -> 400 no_text; 200 "ok"
  teams      needs the sig query parameter (401), no Authorization header
             (400); with --strict also the envelope / contentType (400)
             and the 28 KB cap (413); 202 with an empty body
  pagerduty  routing_key of 32 characters; change events and alert
             triggers need payload.summary 1..1024, triggers also
             payload.severity and payload.source; alert events need
             event_action trigger|acknowledge|resolve, and acknowledge and
             resolve a dedup_key (the incident's; PagerDuty reads nothing
             else of them); a dedup_key is a string of 1..255 -> else 400
             "invalid event"; 202 success JSON
  webhook    Standard Webhooks signature with --secret and a timestamp
             within 300 s -> else 401; 200. --secret may list several
             space-separated whsec_ keys: then a signature for every one
             of them must be present (a sender rotating its key signs
             with the old and the new key)

Scripted answers come first: --script "503,503,ok" (or POST
/_control/script with the same text) answers the next requests in order,
the last one sticking. Words: ok, NNN (that status), 429:N (429 with
Retry-After: N seconds), 429date:N (Retry-After as an HTTP date N s
ahead), redirect (302), hang (no answer for 30 s), delay:S:WORD (wait S
seconds, then answer as WORD does, e.g. delay:3:429:10). The record's
time is taken after any wait, just before the answer is sent.

Every request is appended as one JSON line to --record: method, path,
query, headers, body, status answered, and accepted (true when the
contract was met and the answer was 2xx). The port is written to
--port-file once listening (use --port to reuse one). Only 127.0.0.1;
the process exits by itself after --timeout seconds.
"""
import argparse
import base64
import email.utils
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ARGS = None
LOCK = threading.Lock()
SCRIPT = ["ok"]


def u16len(s):
    return len(s.encode("utf-16-le")) // 2


def next_answer():
    with LOCK:
        if len(SCRIPT) > 1:
            return SCRIPT.pop(0)
        return SCRIPT[0]


def slack_check(body):
    try:
        msg = json.loads(body)
    except ValueError:
        return 400, "invalid_payload"
    if not isinstance(msg, dict):
        return 400, "invalid_payload"
    blocks = msg.get("blocks")
    text = msg.get("text")
    if not blocks and not (isinstance(text, str) and text):
        return 400, "no_text"
    if blocks is None:
        return 200, "ok"
    if not isinstance(blocks, list) or len(blocks) > 50:
        return 400, "invalid_blocks"
    for b in blocks:
        if not isinstance(b, dict) or "type" not in b:
            return 400, "invalid_blocks"
        t = b.get("text")
        if b["type"] == "header":
            if (not isinstance(t, dict) or t.get("type") != "plain_text"
                    or not 1 <= u16len(t.get("text", "")) <= 150):
                return 400, "invalid_blocks"
        elif b["type"] == "section":
            fields = b.get("fields")
            if t is None and fields is None:
                return 400, "invalid_blocks"
            if t is not None and not 1 <= u16len(t.get("text", "")) <= 3000:
                return 400, "invalid_blocks"
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    return 400, "invalid_blocks"
                for f in fields:
                    if not 1 <= u16len(f.get("text", "")) <= 2000:
                        return 400, "invalid_blocks"
        elif b["type"] == "context":
            els = b.get("elements")
            if not isinstance(els, list) or not 1 <= len(els) <= 10:
                return 400, "invalid_blocks"
    return 200, "ok"


def teams_check(handler, query, body):
    if not query.get("sig"):
        return 401, json.dumps({"error": {
            "code": "DirectApiAuthorizationRequired",
            "message": "The request must be authenticated"}})
    if handler.headers.get("Authorization"):
        return 400, json.dumps({"error": {
            "code": "DirectApiRequestHasMoreThanOneAuthorization",
            "message": "more than one authorization"}})
    if ARGS.strict:
        if len(body) > 28672:
            return 413, ""
        try:
            msg = json.loads(body)
            atts = msg["attachments"]
            ok = (msg.get("type") == "message" and isinstance(atts, list)
                  and len(atts) >= 1)
            for a in atts:
                ok = ok and a.get("contentType") == \
                    "application/vnd.microsoft.card.adaptive"
                ok = ok and a.get("content", {}).get("type") == "AdaptiveCard"
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            return 400, json.dumps({"error": {"code": "InvalidCard"}})
    return 202, ""


def pd_invalid(errors):
    return 400, json.dumps({"status": "invalid event",
                            "message": "Event object is invalid",
                            "errors": errors})


def pagerduty_check(path, body):
    if len(body) > 512 * 1024:
        return pd_invalid(["payload too large"])
    try:
        msg = json.loads(body)
    except ValueError:
        return pd_invalid(["not JSON"])
    if not isinstance(msg, dict):
        return pd_invalid(["not an object"])
    key = msg.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        return pd_invalid(["routing_key must be 32 characters"])
    payload = msg.get("payload")
    if payload is not None and not isinstance(payload, dict):
        return pd_invalid(["payload must be an object"])
    payload = payload or {}
    summary = payload.get("summary")
    summary_ok = isinstance(summary, str) and 1 <= len(summary) <= 1024
    if path == "/v2/enqueue":
        action = msg.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            return pd_invalid(["event_action"])
        dedup = msg.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str)
                                  or not 1 <= len(dedup) <= 255):
            return pd_invalid(["dedup_key must be 1..255 characters"])
        if action != "trigger":
            # acknowledge and resolve name the incident by its key alone
            if dedup is None:
                return pd_invalid(["dedup_key is required for " + action])
        else:
            if not summary_ok:
                return pd_invalid(
                    ["payload.summary must be 1..1024 characters"])
            if payload.get("severity") not in ("critical", "error",
                                               "warning", "info"):
                return pd_invalid(["payload.severity"])
            if not isinstance(payload.get("source"), str) \
                    or not payload.get("source"):
                return pd_invalid(["payload.source"])
        return 202, json.dumps({"status": "success",
                                "message": "Event processed",
                                "dedup_key": dedup or ""})
    if not summary_ok:
        return pd_invalid(["payload.summary must be 1..1024 characters"])
    if path == "/v2/change/enqueue":
        return 202, json.dumps({"status": "success",
                                "message": "Change event processed"})
    return 404, ""


def webhook_check(handler, body):
    mid = handler.headers.get("webhook-id")
    ts = handler.headers.get("webhook-timestamp")
    sigs = handler.headers.get("webhook-signature")
    if not mid or not ts or not sigs:
        return 401, "missing headers"
    try:
        its = int(ts)
    except ValueError:
        return 401, "bad timestamp"
    if abs(time.time() - its) > 300:
        return 401, "timestamp out of tolerance"
    signed = mid.encode() + b"." + ts.encode() + b"." + body
    given = [s.partition(",") for s in sigs.split(" ")]
    for secret in ARGS.secret.split():
        key = base64.b64decode(secret[len("whsec_"):])
        want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
        if not any(version == "v1" and hmac.compare_digest(value.encode(),
                                                           want)
                   for version, _, value in given):
            return 401, "bad signature"
    return 200, ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if ARGS.kind == "slack" or status >= 400 and ARGS.kind != "teams":
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path.startswith("/_control/script"):
            with LOCK:
                SCRIPT[:] = body.decode().split(",")
            self.answer(200, "ok")
            return
        word = next_answer().strip()
        headers = []
        if word.startswith("delay:"):
            _, secs, word = word.split(":", 2)
            time.sleep(float(secs))
        if word == "hang":
            # Said at once (the access log line comes only after the answer),
            # so a test can tell the sender is now waiting.
            sys.stderr.write(f"hanging {self.command} {parts.path}\n")
            sys.stderr.flush()
            time.sleep(30)
            status, text = 200, "late"
        elif word == "redirect":
            status, text = 302, ""
            headers.append(("Location", "http://127.0.0.1:9/elsewhere"))
        elif word.startswith("429date:"):
            when = time.time() + int(word.split(":")[1])
            status, text = 429, "rate_limited"
            headers.append(("Retry-After",
                            email.utils.formatdate(when, usegmt=True)))
        elif word.startswith("429:"):
            status, text = 429, "rate_limited"
            headers.append(("Retry-After", word.split(":")[1]))
        elif word != "ok":
            status = int(word)
            text = {410: "channel_is_archived", 503: "unavailable"}.get(
                status, "error")
        elif self.headers.get_content_type() != "application/json":
            status, text = 400, "invalid_payload"
        elif ARGS.kind == "slack":
            status, text = slack_check(body)
        elif ARGS.kind == "teams":
            status, text = teams_check(self, query, body)
        elif ARGS.kind == "pagerduty":
            status, text = pagerduty_check(parts.path, body)
        else:
            status, text = webhook_check(self, body)
        rec = {
            "time": time.time(),
            "method": "POST",
            "path": parts.path,
            "query": {k: v[0] for k, v in query.items()},
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "status": status,
            "accepted": word == "ok" and 200 <= status < 300,
        }
        with LOCK:
            with open(ARGS.record, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        try:
            self.answer(status, text, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--kind", required=True,
                   choices=["slack", "teams", "pagerduty", "webhook"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--secret", default="")
    p.add_argument("--strict", action="store_true")
    p.add_argument("--script", default="ok")
    p.add_argument("--timeout", type=float, default=120)
    ARGS = p.parse_args()
    SCRIPT[:] = ARGS.script.split(",")
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    threading.Timer(ARGS.timeout, srv.shutdown).start()
    srv.serve_forever()
    srv.server_close()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())

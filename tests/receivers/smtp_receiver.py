#!/usr/bin/python3
"""SMTP receiver for docket's e-mail tests: aiosmtpd storing every message
in a Maildir, on 127.0.0.1 only. With --tls-cert/--tls-key STARTTLS is
offered and required; with --auth USER:PASS, AUTH (PLAIN/LOGIN) is required
(over TLS when TLS is on). The chosen port is written to --port-file; the
process exits by itself after --timeout seconds.

Run with /usr/bin/python3 (Debian's python3-aiosmtpd).
"""
import argparse
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maildir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth", default="")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()

    kwargs = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, data):
            if (isinstance(data, LoginPassword)
                    and data.login.decode() == user
                    and data.password.decode() == password):
                return AuthResult(success=True)
            # handled=False, or the server never answers (CONTRACTS.md).
            return AuthResult(success=False, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(args.tls_cert))
    port = free_port()
    ctl = Controller(Mailbox(args.maildir), hostname="127.0.0.1", port=port,
                     **kwargs)
    ctl.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, args.port_file)
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        time.sleep(0.2)
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

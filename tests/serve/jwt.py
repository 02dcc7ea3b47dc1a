#!/usr/bin/env python3
"""Mint a test JWT: jwt.py SECRET SUB [EXP_OFFSET_SECONDS] [--alg ALG] [--no-sub] [--no-exp].
HS256 by hand (hmac + base64url) so the tests need no pip packages.
--alg none makes an unsigned token; --alg HS512 signs with SHA-512.
jwt.py --batch reads one such argument list a line from stdin and prints
one token a line (one Python start for many tokens)."""
import base64, hashlib, hmac, json, sys, time

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def mint(argv):
    args = [a for a in argv if not a.startswith("--")]
    alg = argv[argv.index("--alg") + 1] if "--alg" in argv else "HS256"
    if "--alg" in argv:
        args.remove(alg)
    secret, sub = args[0], args[1]
    off = int(args[2]) if len(args) > 2 else 3600
    claims = {}
    if "--no-sub" not in argv:
        claims["sub"] = sub
    if "--no-exp" not in argv:
        claims["exp"] = int(time.time()) + off
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    msg = (head + "." + body).encode()
    if alg == "none":
        sig = ""
    else:
        h = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
        sig = b64(hmac.new(secret.encode(), msg, h).digest())
    return head + "." + body + "." + sig

if sys.argv[1:] == ["--batch"]:
    for line in sys.stdin:
        if line.strip():
            print(mint(line.split()))
else:
    print(mint(sys.argv[1:]))

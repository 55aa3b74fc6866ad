"""Compares what `apierr explain --json` read from an error body with what
the test expects. Usage: check_problem.py EXPLAINED BODY STATUS CODE RID RA
[FIELD...]; CODE '-' skips the code. Exit 1 with the differences printed."""
import json
import sys

explained, body, status, code, rid, ra = sys.argv[1:7]
fields = sys.argv[7:]
e = json.load(open(explained))
raw = open(body, "rb").read()
bad = []
if e["status"] != int(status):
    bad.append("status %r" % e["status"])
# fieldmap bodies (GipoNext, Laravel) have no code member.
if code != "-" and e["dialect"] != "fieldmap":
    if (e["code"] or "").lower() != code.lower():
        bad.append("code %r, want %r" % (e["code"], code))
    if e["dialect"] == "gestix" and e["code"] != e["code"].upper():
        bad.append("gestix code %r not upper-case" % e["code"])
if not e["message"]:
    bad.append("no message")
if rid and e["request_id"] != rid:
    bad.append("request id %r, want %r" % (e["request_id"], rid))
if ra and e["retry_after_ms"] != int(ra) * 1000:
    bad.append("retry_after_ms %r, want %s s" % (e["retry_after_ms"], ra))
have = [d.get("field") for d in e["details"]]
for f in fields:
    if f not in have:
        bad.append("field %r missing from %r" % (f, have))
try:
    json.loads(raw)
except ValueError:
    bad.append("body is not JSON: %r" % raw[:200])
if bad:
    print("  " + "; ".join(bad))
    print("  body: %s" % raw[:400].decode("utf-8", "replace"))
    sys.exit(1)

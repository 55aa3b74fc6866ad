"""Checks an `apierr check --json` report against expectations, by content.

usage: assert_report.py REPORT EXIT_STATUS [--default pass|any] [ID=WANT]...

WANT is pass, fail or skip, or xfail:REASON for a check that fails today
because of a known defect of the server (it must fail; when it passes, this
script fails and says to drop the mark, so that the expectation flips with
the fix). With --default pass, every check not named must pass. The report's
shape is checked too: the documented keys, ok agreeing with result, unique
ids, the score, and the exit status (9 exactly when a check of severity error
failed).
"""
import json
import sys


def main():
    report, exit_status = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    default = "any"
    if args[:1] == ["--default"]:
        default, args = args[1], args[2:]
    want = {}
    for a in args:
        cid, _, w = a.partition("=")
        want[cid] = w
    with open(report) as f:
        j = json.load(f)
    errors = []
    for key in ("base_url", "profile", "requests", "score", "passed", "failed", "skipped",
                "errors_failed", "burst", "checks", "probes"):
        if key not in j:
            errors.append("report has no key %r" % key)
    checks = {}
    for c in j.get("checks", []):
        for key in ("id", "ok", "result", "severity", "description", "evidence"):
            if key not in c:
                errors.append("check %r has no key %r" % (c.get("id"), key))
        if c["id"] in checks:
            errors.append("check %r twice" % c["id"])
        checks[c["id"]] = c
        expect_ok = {"pass": True, "fail": False, "skip": None}[c["result"]]
        if c["ok"] is not expect_ok:
            errors.append("check %r: ok %r but result %r" % (c["id"], c["ok"], c["result"]))
    for cid in want:
        if cid not in checks:
            errors.append("no check %r in the report" % cid)
    for cid, c in checks.items():
        w = want.get(cid, default)
        got = c["result"]
        line = "%s: %s (%s)" % (cid, got, c["evidence"])
        if w.startswith("xfail:"):
            if got == "pass":
                errors.append("XPASS %s; the server was fixed? drop the mark: %s" % (line, w[6:]))
            elif got != "fail":
                errors.append("%s, want an expected failure: %s" % (line, w[6:]))
        elif w != "any" and got != w:
            errors.append("%s, want %s" % (line, w))
    n = {r: sum(1 for c in checks.values() if c["result"] == r) for r in ("pass", "fail", "skip")}
    if (n["pass"], n["fail"], n["skip"]) != (j["passed"], j["failed"], j["skipped"]):
        errors.append("counts %r disagree with the checks" % (n,))
    graded = n["pass"] + n["fail"]
    score = round(100 * n["pass"] / graded) if graded else 100
    if abs(j["score"] - score) > 1:
        errors.append("score %r, want %r" % (j["score"], score))
    failed_errors = sum(1 for c in checks.values()
                        if c["result"] == "fail" and c["severity"] == "error")
    if failed_errors != j["errors_failed"]:
        errors.append("errors_failed %r, want %r" % (j["errors_failed"], failed_errors))
    if exit_status != (9 if failed_errors else 0):
        errors.append("exit status %d with %d failed error checks" % (exit_status, failed_errors))
    for e in errors:
        print("FAIL: %s: %s" % (report.rsplit("/", 1)[-1], e))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

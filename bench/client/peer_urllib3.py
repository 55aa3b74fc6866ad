"""Goodput peer: Python urllib3 Retry (Debian's python3-urllib3, 1.26).

usage: peer_urllib3.py URLS_FILE CONCURRENCY TOKEN LOG

GETs every URL of URLS_FILE (one per line), CONCURRENCY threads sharing one
PoolManager whose Retry honours Retry-After, backs off and retries the
statuses the seeds call retryable. Writes one JSON line per attempt to LOG:
call, attempt, start, end (Unix seconds), status (0: transport failure), ra
(the Retry-After received, seconds, or null). The retry machinery is
urllib3's own; the subclass only records when it is used.
"""
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import urllib3
from urllib3.util.retry import Retry

RETRIES = 4
STATUSES = (429, 500, 502, 503, 504)

local = threading.local()


def retry_after(response):
    """The Retry-After of response in seconds, or None."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(int(value.strip()))
    except ValueError:
        return None  # an HTTP-date: `apierr serve` sends seconds


class LoggedRetry(Retry):
    """urllib3's Retry, recording the end of every failed attempt and the
    start of the attempt its sleep leads to."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        rec = local.attempts[-1]
        rec["end"] = time.time()
        rec["status"] = response.status if response is not None else 0
        rec["ra"] = retry_after(response)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response=None):
        super().sleep(response)
        local.attempts.append({"start": time.time()})


def one(pool, url, token):
    local.attempts = [{"start": time.time()}]
    status = 0
    try:
        r = pool.request("GET", url, headers={"Authorization": "Bearer " + token})
        status = r.status
    except urllib3.exceptions.HTTPError:
        pass  # retries exhausted on a transport failure: already recorded
    last = local.attempts[-1]
    if "end" not in last:
        last["end"] = time.time()
        last["status"] = status
        last["ra"] = None
    call = int(parse_qs(urlparse(url).query)["call"][0])
    return [dict(a, call=call, attempt=i + 1) for i, a in enumerate(local.attempts)]


def main():
    urls_file, n, token, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(urls_file) as f:
        urls = [line.strip() for line in f if line.strip()]
    retry = LoggedRetry(total=RETRIES, backoff_factor=1, status_forcelist=STATUSES,
                        respect_retry_after_header=True, raise_on_status=False)
    pool = urllib3.PoolManager(num_pools=4, maxsize=n, block=True, retries=retry)
    with ThreadPoolExecutor(max_workers=n) as ex:
        results = list(ex.map(lambda u: one(pool, u, token), urls))
    with open(log, "w") as f:
        for attempts in results:
            for a in attempts:
                f.write(json.dumps(a) + "\n")


if __name__ == "__main__":
    main()

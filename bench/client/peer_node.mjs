// Goodput peer: the fetchWithRetry of seed 001 (GoTab), on Node's built-in
// fetch, N calls at a time.
//
// usage: node peer_node.mjs URLS_FILE CONCURRENCY TOKEN LOG
//
// The retry rules are the seed's, kept as written: at most maxRetries = 4
// retries; 400/403/404/409/422 are not retried; a 429 waits its Retry-After
// (15 s when absent) and goes on even after the last attempt; any other
// failure waits min(1000 * 2^attempt, 30000) ms, whatever its Retry-After; a
// network error is thrown, not retried. The only additions record each
// attempt (one JSON line per attempt in LOG: call, attempt, start, end in
// Unix seconds, status, ra) and drain the bodies so connections are reused.
import { readFileSync, writeFileSync } from 'node:fs';

const [urlsFile, concurrency, token, logFile] = process.argv.slice(2);
const urls = readFileSync(urlsFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
const log = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => (performance.timeOrigin + performance.now()) / 1000;

async function fetchWithRetry(url, options, call, maxRetries = 4) {
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
        const rec = { call, attempt: attempt + 1, start: now() };
        log.push(rec);
        let res;
        try {
            res = await fetch(url, options);
        } finally {
            rec.end = now();
            rec.status = res ? res.status : 0;
            const ra = res ? res.headers.get('Retry-After') : null;
            rec.ra = ra === null ? null : Number.parseInt(ra, 10);
        }
        const body = await res.text();
        if (res.ok) return JSON.parse(body);
        // Non-retryable
        if ([400, 403, 404, 409, 422].includes(res.status)) {
            throw new Error(`Non-retryable error: ${res.status}`);
        }
        // Respect Retry-After on 429
        if (res.status === 429) {
            const retryAfter = parseInt(res.headers.get('Retry-After') ?? '15', 10);
            await sleep(retryAfter * 1000);
            continue;
        }
        // Exponential backoff for 5xx and last attempt
        if (attempt === maxRetries) throw new Error(`Failed after ${maxRetries} retries`);
        await sleep(Math.min(1000 * 2 ** attempt, 30_000));
    }
}

let next = 0;
async function worker() {
    while (next < urls.length) {
        const url = urls[next++];
        const call = Number(new URL(url).searchParams.get('call'));
        try {
            // The seed falls out of its loop after a 429 on the last attempt
            // and returns undefined: that call got no data, so it failed.
            await fetchWithRetry(url, { headers: { Authorization: `Bearer ${token}` } }, call);
        } catch {
            // counted from the log: the last attempt of the call is not a 2xx
        }
    }
}

await Promise.all(Array.from({ length: Number(concurrency) }, worker));
writeFileSync(logFile, log.map((r) => JSON.stringify(r)).join('\n') + '\n');

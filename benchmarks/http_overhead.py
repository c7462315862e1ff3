"""Benchmark: the SDK's per-request overhead on a signed Open API call, against raw httpx in the same run.

What is measured
    ``await client.call("customer.app.CustomerWebApiService.findCustomerInfo", {})`` through the SDK
    (api_key/secret_key mode: every request gets a fresh trace and timestamp, is SHA1withRSA-signed by
    the SDK's ``httpx.Auth`` flow, and its envelope is decoded into ``data``), against the same POST
    made with a bare ``httpx.AsyncClient`` to the same simulator URL with the same headers and body:

    * ``SDK aiohttp``: the same SDK call with ``http_client=mm.AiohttpClient()`` (the ``[aiohttp]``
      extra): httpx builds and signs the request, aiohttp sends it.
    * ``raw httpx``: nothing but ``httpx.AsyncClient.post``. The headers are signed ahead of time and
      re-signed at most once a second (a signature is only valid inside the 5 s ``recvWindow``), so the
      signing cost is amortised to nothing.
    * ``raw + sign``: the same, but each request gets a fresh trace and timestamp and is signed with
      the same signer the SDK uses (:class:`multimarkets_async.protocol.crypto.OpenApiSigner`): the
      least any correct client must do per request.

    Each variant runs at concurrency 1 (one task issuing requests back to back) and 16 (16 tasks
    sharing the request count), ``--n`` requests per repetition after a short warm-up, ``--repeat``
    times. To cancel drift on a noisy machine the variants take turns in blocks of 100 requests (320
    at concurrency 16), the order rotating every block, and each repetition sums a variant's blocks.
    The simulator runs in its own process (its CPU is not the client's), with its Open API rate limit
    lifted; the client's limiter is disabled too: this measures overhead, not throttling.

How to read the output
    Per concurrency, one row per variant with the medians over the repetitions: requests/s, latency
    mean/p50/p99 in ms, and the *client process* CPU time per request in microseconds (``cpu us``: the
    part of the cost the SDK adds to, since the server's time is the same for every variant). Then the
    ratios variant/baseline of wall time per request and of client CPU per request: each the median,
    with the quartiles, of the ratios of blocks that ran back to back (which cancels drift). Last,
    issue #12's targets, each with "met" or "NOT MET": SDK / raw + sign at most 1.05x at concurrency 1
    and 16; SDK aiohttp / raw httpx below 1.0x at concurrency 16. On a noisy machine that median can
    differ from the ratio of the medians in the table; the paired one is the figure to quote.
    On a small or shared machine the server (a Python ASGI app) dominates the wall time, which dilutes
    the wall-time ratio; the CPU ratio shows the client-side overhead undiluted.

Run it with ``python benchmarks/http_overhead.py [--quick] [--n N] [--repeat R] [--profile]``. It only
talks to 127.0.0.1, and stops the simulator process on exit, error or Ctrl+C. Not a test: never in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

# benchmarks/ is the script's directory, first on sys.path
from _common import load_parser, print_profile, read_json_line, run_with_server, stop_process

import multimarkets_async as mm
from multimarkets_async.protocol.crypto import OpenApiSigner
from multimarkets_async.protocol.operations import operation_for

__all__ = ["main"]

BIZ_TYPE = "customer.app.CustomerWebApiService.findCustomerInfo"
BODY: dict[str, object] = {}
BODY_BYTES = b"{}"
RECV_WINDOW_MS = 5000
RESIGN_AFTER_S = 1.0
OK_MARK = b'"code":"0"'
CONCURRENCY = (1, 16)
TARGETS: tuple[tuple[str, str, str, float, int | None], ...] = (
    # (variant, baseline, what, the time-per-request ratio must stay at most this, at this concurrency)
    ("SDK", "raw + sign", "SDK over httpx within 1.05x of raw httpx + signature", 1.05, None),
    ("SDK aiohttp", "raw httpx", "SDK over aiohttp faster than raw httpx at concurrency 16", 1.0, 16),
)
"""Issue #12's targets: time per request, median of the paired block ratios."""
BLOCK = 100
"""Requests per variant per turn (at least 20 per concurrent task)."""
SERVER_START_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 300.0
"""Upper bound of one measured block: a hung server fails the run instead of hanging it."""


# -- the simulator process -----------------------------------------------------------------------


async def _serve_simulator() -> None:
    from multimarkets_async.testing import Simulator

    async with Simulator(open_api_rate_per_min=10**9, client_rate_limit=10**9) as sim:
        facts = {
            "base_url": sim.base_url,
            "company_id": sim.company_id,
            "api_key": sim.api_key,
            "secret_key": sim.secret_key,
        }
        sys.stdout.write(json.dumps(facts) + "\n")
        sys.stdout.flush()
        # The parent closes our stdin to stop us (and it closes by itself if the parent dies).
        await anyio.to_thread.run_sync(sys.stdin.buffer.read, abandon_on_cancel=True)


@contextlib.contextmanager
def simulator_process() -> Iterator[dict[str, Any]]:
    """Start the simulator in a child process; yield its credentials; always stop it."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # The child prints one JSON line once it accepts connections.
        yield read_json_line(proc.stdout, SERVER_START_TIMEOUT_S, "the simulator")
    finally:
        stop_process(proc)


# -- measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """One measured run: ``n`` requests at one concurrency."""

    n: int
    wall: float
    cpu: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.n / self.wall

    @property
    def per_request(self) -> float:
        return self.wall / self.n

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / self.n

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(request: Callable[[], Awaitable[None]], n: int, concurrency: int) -> Run:
    """Issue ``n`` requests from ``concurrency`` tasks; time each and the whole run."""
    latencies: list[float] = []
    remaining = n
    clock = time.perf_counter

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = clock()
            await request()
            latencies.append(clock() - start)

    cpu0, wall0 = time.process_time(), clock()
    with anyio.fail_after(RUN_TIMEOUT_S):
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(worker)
    wall, cpu = clock() - wall0, time.process_time() - cpu0
    return Run(n, wall, cpu, latencies)


def combine(runs: list[Run]) -> Run:
    """The blocks of one repetition as one run (times and latencies summed up)."""
    return Run(
        sum(r.n for r in runs),
        sum(r.wall for r in runs),
        sum(r.cpu for r in runs),
        [latency for r in runs for latency in r.latencies],
    )


async def repetition(
    variants: dict[str, Callable[[], Awaitable[None]]], n: int, concurrency: int, rep: int
) -> dict[str, list[Run]]:
    """``n`` requests per variant, interleaved in blocks so that every variant sees the same drift.

    The variants take turns block by block, the order rotating each block. Returns each variant's
    blocks, in the order of the rounds (block ``i`` of every variant ran back to back).
    """
    block = min(n, max(BLOCK, 20 * concurrency))
    names = list(variants)
    blocks: dict[str, list[Run]] = {name: [] for name in names}
    done = 0
    turn = rep
    while done < n:
        size = min(block, n - done)
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            blocks[name].append(await measure(variants[name], size, concurrency))
        done += size
        turn += 1
    return blocks


class RawRequests:
    """The baselines: bare ``httpx.AsyncClient.post`` calls with the SDK's wire headers."""

    def __init__(self, facts: dict[str, Any]) -> None:
        operation = operation_for(BIZ_TYPE)
        self.url = f"{facts['base_url']}/openapi-c{operation.path}"
        self.company_id = str(facts["company_id"])
        self.api_key: str = facts["api_key"]
        self.version = operation.version
        self.group = operation.group
        self.signer = OpenApiSigner(facts["secret_key"])
        self.http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
            headers={"User-Agent": f"multimarkets-async/{mm.__version__}", "Accept": "application/json"},
        )
        self._presigned = self.headers()
        self._signed_at = time.monotonic()

    def headers(self) -> dict[str, str]:
        """A complete, freshly signed header set (the same names and values the SDK sends)."""
        now_ms = int(time.time() * 1000)
        headers = {
            "Content-Type": "application/json",
            "trace": f"{uuid.uuid4()}-{now_ms}",
            "companyId": self.company_id,
            "timestamp": str(now_ms),
            "lang": "en-US",
        }
        if self.version:
            headers["version"] = self.version
        if self.group:
            headers["group"] = self.group
        headers["apiKey"] = self.api_key
        headers["recvWindow"] = str(RECV_WINDOW_MS)
        headers["signature"] = self.signer.sign(BODY, now_ms)
        return headers

    async def presigned(self) -> None:
        """Raw httpx: the headers were signed ahead of time (re-signed once a second)."""
        if time.monotonic() - self._signed_at > RESIGN_AFTER_S:
            self._presigned, self._signed_at = self.headers(), time.monotonic()
        response = await self.http.post(self.url, content=BODY_BYTES, headers=self._presigned)
        if response.status_code != 200 or OK_MARK not in response.content:
            raise RuntimeError(f"raw request failed: {response.status_code} {response.text[:200]}")

    async def signed(self) -> None:
        """Raw httpx plus a fresh trace, timestamp and signature per request."""
        response = await self.http.post(self.url, content=BODY_BYTES, headers=self.headers())
        if response.status_code != 200 or OK_MARK not in response.content:
            raise RuntimeError(f"raw request failed: {response.status_code} {response.text[:200]}")


async def check_raw_answer(raw: RawRequests) -> None:
    """Make sure the baseline gets a real success envelope, not a cheap error."""
    response = await raw.http.post(raw.url, content=BODY_BYTES, headers=raw.headers())
    envelope = response.json()
    if response.status_code != 200 or envelope.get("code") != "0" or not envelope.get("data"):
        raise RuntimeError(f"the raw baseline is not answered with data: {response.text[:200]}")


# -- the report ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _row(name: str, runs: list[Run]) -> str:
    return (
        f"  {name:<12} {_median([r.rps for r in runs]):>9.0f} "
        f"{_median([statistics.fmean(r.latencies) for r in runs]) * 1e3:>8.3f} "
        f"{_median([r.quantile(0.50) for r in runs]) * 1e3:>8.3f} "
        f"{_median([r.quantile(0.99) for r in runs]) * 1e3:>8.3f} "
        f"{_median([r.cpu_per_request for r in runs]) * 1e6:>8.0f}"
    )


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    low, mid, high = statistics.quantiles(values, n=4, method="inclusive")
    return mid, low, high


def paired_ratio(variant: list[Run], base: list[Run]) -> tuple[float, float, float]:
    """Median and quartiles of the time-per-request ratios of blocks that ran back to back."""
    return _quartiles([a.per_request / b.per_request for a, b in zip(variant, base, strict=True)])


def _ratio_line(name: str, base_name: str, variant: list[Run], base: list[Run]) -> str:
    pairs = list(zip(variant, base, strict=True))
    wall, wall_lo, wall_hi = paired_ratio(variant, base)
    cpu, cpu_lo, cpu_hi = _quartiles([a.cpu_per_request / b.cpu_per_request for a, b in pairs])
    return (
        f"  {name + ' / ' + base_name:<26} wall {wall:.3f}x ({wall_lo:.2f}..{wall_hi:.2f})   "
        f"cpu {cpu:.3f}x ({cpu_lo:.2f}..{cpu_hi:.2f})"
    )


RATIOS = (
    ("SDK", "raw httpx"),
    ("SDK", "raw + sign"),
    ("SDK aiohttp", "raw httpx"),
    ("SDK aiohttp", "raw + sign"),
    ("SDK aiohttp", "SDK"),
)


def report(concurrency: int, blocks: dict[str, list[Run]], repeat: int) -> None:
    """Print one concurrency level's table (per repetition, medians) and its paired block ratios."""
    sdk = blocks["SDK"]
    per_rep = len(sdk) // repeat
    reps = {
        name: [combine(runs[i * per_rep : (i + 1) * per_rep]) for i in range(repeat)]
        for name, runs in blocks.items()
    }
    size = reps["SDK"][0].n
    print(f"\nconcurrency {concurrency}: {repeat} repetitions of {size} requests per variant, medians")
    print(f"  {'variant':<12} {'req/s':>9} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu us':>8}")
    for name, runs in reps.items():
        print(_row(name, runs))
    print(f"  time per request, median (quartiles) of {len(sdk)} paired block ratios:")
    for name, base in RATIOS:
        print(_ratio_line(name, base, blocks[name], blocks[base]))


def report_targets(results: dict[int, dict[str, list[Run]]]) -> None:
    """Print each of the issue's targets at each concurrency it applies to, and whether it is met."""
    print("\ntargets (time per request, median of the paired block ratios):")
    for variant, base, what, limit, only in TARGETS:
        for concurrency, blocks in results.items():
            if only is not None and concurrency != only:
                continue
            ratio = paired_ratio(blocks[variant], blocks[base])[0]
            met = ratio <= limit if limit != 1.0 else ratio < limit
            print(
                f"  {what}: concurrency {concurrency}: {variant} / {base} = {ratio:.3f}x "
                f"(target {'<' if limit == 1.0 else '<='} {limit:.2f}x): {'met' if met else 'NOT MET'}"
            )


# -- the benchmark -------------------------------------------------------------------------------


async def benchmark(facts: dict[str, Any], n: int, repeat: int, profile: bool) -> None:
    options: dict[str, Any] = {
        "base_url": facts["base_url"],
        "company_id": facts["company_id"],
        "api_key": facts["api_key"],
        "secret_key": facts["secret_key"],
        "rate_limit": mm.RateLimitPolicy(open_api_per_minute=None),
    }
    client = mm.MultiMarkets(**options)
    over_aiohttp = mm.MultiMarkets(**options, http_client=mm.AiohttpClient())
    raw = RawRequests(facts)
    async with client, over_aiohttp, raw.http:

        async def sdk_call() -> None:
            await client.call(BIZ_TYPE, BODY)

        async def sdk_aiohttp_call() -> None:
            await over_aiohttp.call(BIZ_TYPE, BODY)

        for sdk in (client, over_aiohttp):
            data = await sdk.call(BIZ_TYPE, BODY)
            if not isinstance(data, dict) or "customerNo" not in data:
                raise RuntimeError(f"unexpected SDK answer: {data!r}")
        await check_raw_answer(raw)
        variants: dict[str, Callable[[], Awaitable[None]]] = {
            "SDK": sdk_call,
            "SDK aiohttp": sdk_aiohttp_call,
            "raw httpx": raw.presigned,
            "raw + sign": raw.signed,
        }
        warmup = max(50, n // 10)
        for request in variants.values():  # open the pooled connections, warm the code paths
            await measure(request, warmup, max(CONCURRENCY))

        if profile:
            await profile_sdk("SDK", sdk_call, n)
            await profile_sdk("SDK aiohttp", sdk_aiohttp_call, n)
            return

        results: dict[int, dict[str, list[Run]]] = {}
        for concurrency in CONCURRENCY:
            blocks: dict[str, list[Run]] = {name: [] for name in variants}
            for request in variants.values():
                await measure(request, warmup, concurrency)
            for rep in range(repeat):
                for name, runs in (await repetition(variants, n, concurrency, rep)).items():
                    blocks[name].extend(runs)
            report(concurrency, blocks, repeat)
            results[concurrency] = blocks
        report_targets(results)


async def profile_sdk(name: str, sdk_call: Callable[[], Awaitable[None]], n: int) -> None:
    """Profile one SDK variant at concurrency 1 with cProfile; print the top functions."""
    await print_profile(
        lambda: measure(sdk_call, n, 1),
        lambda run: (
            f"profiled {n} {name} requests at concurrency 1: {run.rps:.0f} req/s (under the profiler)"
        ),
        own=25,
        cumulative=40,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the options, start the simulator process, run the benchmark, stop the process."""
    parser = load_parser(
        __doc__,
        quick="a short smoke run (n=300, repeat=2)",
        n="requests per variant per repetition (default 600)",
        repeat="repetitions (default 5)",
        profile="cProfile the SDK variants instead",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C goes to the parent, which stops us
        anyio.run(_serve_simulator)
        return 0
    n = args.n or (300 if args.quick else 600)
    repeat = args.repeat or (2 if args.quick else 5)
    if n < 1 or repeat < 1:
        parser.error("--n and --repeat must be positive")
    print(
        f"http_overhead: n={n} requests per variant and repetition, repeat={repeat}, "
        f"concurrency {CONCURRENCY}"
    )
    return run_with_server(
        simulator_process(),
        lambda facts: f"simulator process on {facts['base_url']}",
        lambda facts: anyio.run(benchmark, facts, n, repeat, args.profile),
        "the simulator process",
    )


if __name__ == "__main__":
    raise SystemExit(main())

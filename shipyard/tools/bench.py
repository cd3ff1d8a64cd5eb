"""Measure what the course costs on this machine and write BENCHMARK.md.

    python -m shipyard.tools.bench            # everything, including the whole test command
    python -m shipyard.tools.bench --quick    # without the test command

Budgets are stated for a machine whose floor (a bare `python -c "import fastapi, uvicorn"`)
takes 0.25 s, and scale with the floor measured in the same run, so a slow day does not fail
them and a fast one does not hide a regression (issue 12): lessons 00-05 at most 8 s each
with a median of at most 5 s, any later lesson and every solution at most 20 s, and every
notebook at most 700 MB (kernel plus every child), so it fits a 1 GB Binder; a service's
cold start in a new interpreter within 1.5x the floor, forked by the zygote within 0.3x; the
whole test command, every gate included, within 360 s (600 s once lessons 06-10 land).
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

from shipyard import bus, ci, customers, delivery, deploy, services
from shipyard.ci import examples
from shipyard.delivery import pipeline
from shipyard.deploy import examples as deploy_examples
from shipyard.deploy import pipeline as deploy_pipeline
from shipyard.paths import NOTEBOOKS, ROOT, SOLUTIONS
from shipyard.runtime import forked
from shipyard.tools.execute import execute
from shipyard.traffic import Traffic

REFERENCE_FLOOR = 0.25  # seconds: the floor the budgets below are stated at
FIRST_LESSONS = 6  # lessons 00-05 (by their number), with the tighter budget
LESSON_SECONDS, LESSON_MEDIAN_SECONDS, LATER_NOTEBOOK_SECONDS, TEST_SECONDS = 8, 5, 20, 360
PEAK_MB, COLD_START_RATIO, FORKED_RATIO = 700, 1.5, 0.3
PROMOTION_SECONDS = 2  # issue 13's goal, on this machine
PUSH_TO_PRODUCTION_SECONDS = 15  # issue 14's goal: a good commit's push to all of production's traffic


def scaled(seconds: float, floor: float) -> float:
    """A budget stated at the reference floor, on a machine whose floor is `floor`."""
    return seconds * floor / REFERENCE_FLOOR


def _seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cold_starts(rounds: int = 7) -> dict[str, float]:
    """Median seconds: a bare interpreter importing fastapi and uvicorn (the floor); a catalog
    service from launch to a healthy answer in a new interpreter (the old way) and forked by
    the kernel's zygote, while another service keeps it up (as a lesson's running shop does).
    Interleaved, so load affects all three. And, once, the first start in a kernel, which
    waits for the zygote's own start."""
    services.stop_all()  # no zygote: the first start pays for it
    first = _seconds(lambda: services.start("catalog"))
    services.stop_all()
    times = {"floor": [], "spawned": [], "forked": []}

    def start(way: str) -> None:
        forked.ENABLED = way == "forked"
        started = time.perf_counter()
        catalog = services.start("catalog")
        times[way].append(time.perf_counter() - started)
        if (way == "forked") != isinstance(catalog.process, forked.Forked):
            raise SystemExit(f"the catalog was not started {way}, so its time means nothing: {catalog.logs()}")
        catalog.stop()

    enabled = forked.ENABLED
    try:
        running = services.start("payments")  # the zygote is up before a fork is timed, and stays
        for _ in range(rounds):
            times["floor"].append(_seconds(lambda: subprocess.run([sys.executable, "-c", "import fastapi, uvicorn"], check=True)))
            start("spawned")
            start("forked")
        running.stop()
    finally:
        forked.ENABLED = enabled
    return {"first": first, **{way: statistics.median(seconds) for way, seconds in times.items()}}


def broker_starts(rounds: int = 7) -> float:
    """Median seconds from starting nats-server to JetStream answering healthy."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        broker = bus.start()
        times.append(time.perf_counter() - started)
        broker.stop()
    return statistics.median(times)


def events_per_second(orders: int = 1000) -> tuple[float, float]:
    """Events per second on the shop's event path: (1) end to end, from the first order
    placed over HTTP to the last one paid, every order an orders.placed and a payments.*
    event; (2) the payments consumer alone, draining a backlog of `orders` events."""
    with bus.start() as broker:
        shop = services.start_shop("events", broker=broker)
        started = time.perf_counter()
        customers.place(shop["orders"].url, orders)
        customers.wait_settled(shop["orders"].url, orders, timeout=120)
        end_to_end = orders / (time.perf_counter() - started)
        shop["payments"].kill()
        customers.place(shop["orders"].url, orders)
        shop["payments"].launch()
        backlog = broker.watch_backlog("ORDERS", "payments", timeout=120)
        first_handled = next(t for t, waiting in backlog if waiting < backlog[0][1])
        draining = backlog[0][1] / (backlog[-1][0] - first_handled)
        services.stop_all()
    return end_to_end, draining


def ci_push_to_green(rounds: int = 3) -> float:
    """Median seconds from `git push` of the payments repository (lesson 05's workflow:
    install, lint, unit, component and contract tests) to its green verdict."""
    times = []
    for _ in range(rounds):
        server = ci.start()
        repo = examples.service_repository(server.clone("bench"), "payments")
        repo.write(".github/workflows/ci.yml", examples.PAYMENTS_WORKFLOW)
        repo.commit("bench")
        started = time.perf_counter()
        run = server.wait(repo.push("main"))
        if run.status != "success":
            raise SystemExit(f"the payments pipeline is not green, so its time means nothing: {run.error or run.failed_steps()}")
        times.append(time.perf_counter() - started)
        server.stop()
    return statistics.median(times)


def delivery_times(rounds: int = 3) -> dict[str, float]:
    """Medians over `rounds` pushes of payments with lesson 06's delivery workflow: from push
    to ready to deploy (staging's smoke test passed, in the release log), the publish step,
    the deploy to staging (as the environment timed it), and a promotion to production
    (approved, then fetched from the index, checked, installed and started)."""
    times = {"ready": [], "publish": [], "staging": [], "production": []}
    for _ in range(rounds):
        shop, server = delivery.start(), ci.start()
        shop.connect(server)
        repo = pipeline.delivery_repository(server.clone("bench"))
        repo.commit("bench")
        pushed = time.time()
        run = server.wait(repo.push("main"))
        if run.status != "success":
            raise SystemExit(f"the delivery pipeline is not green, so its times mean nothing: {run.error or run.failed_steps()}")
        release = shop.log.ready()[-1]
        entries = shop.log.entries(release)
        times["ready"].append(next(e["at"] for e in entries if e["event"] == "smoke-tested") - pushed)
        times["publish"].append(next(s.seconds for j in run.jobs for s in j.steps if s.name == "Publish to the index"))
        times["staging"].append(next(e["seconds"] for e in entries if e["event"] == "deployed"))
        shop.log.approve(release, by="bench")
        times["production"].append(_seconds(lambda: shop.production.deploy(release)))  # noqa: B023 (called at once)
        server.stop()
        shop.stop()
    return {what: statistics.median(seconds) for what, seconds in times.items()}


def router_starts(rounds: int = 7) -> float:
    """Median seconds from starting Traefik to its ping answering."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        router = deploy.start_router()
        times.append(time.perf_counter() - started)
        router.stop()
    return statistics.median(times)


def deployment_times(rounds: int = 3) -> dict[str, float]:
    """Medians over `rounds` repositories with lesson 07's continuous deployment workflow, each
    pushed three times under open-loop traffic (payments; a good change; a bad one the tests
    miss): the good commit's push to all of production's traffic; for the bad one, its first
    traffic to the rollback, and the failing analysis reading to the rollback."""
    times = {"to production": [], "exposed": [], "detected to rolled back": []}
    for _ in range(rounds):
        cd, server = deploy.start(), ci.start()
        cd.connect(server)
        repo = deploy_examples.repository(server)
        repo.write(".github/workflows/deployment.yml", deploy_pipeline.WORKFLOW)
        runs = []
        for change, message in ((None, "bench"), (deploy_examples.receipts, "good"),
                                (deploy_examples.receipts_check_themselves, "bad")):
            if change:
                change(repo)
            repo.commit(message)
            Traffic(deploy_examples.customers(cd.router.url)).during(lambda: runs.append(server.wait(repo.push())))  # noqa: B023
        good, bad = (cd.production.decisions(release) for release in cd.log.ready()[1:3])
        if [run.status for run in runs] != ["success", "success", "failure"] or good[-1]["event"] != "deployed":
            raise SystemExit(f"the good commit was not promoted or the bad one not rolled back, so the times mean "
                             f"nothing: {[run.status for run in runs]}")
        times["to production"].append([e["at"] for e in good if e["event"] == "weights set"][-1] - runs[1].queued_at)
        rolled_back = next(e["at"] for e in bad if e["event"] == "rolled back")
        times["exposed"].append(rolled_back - next(e["at"] for e in bad if e["event"] == "weights set"))
        times["detected to rolled back"].append(
            rolled_back - next(e["at"] for e in bad if e["event"] == "analysis" and not e["passed"]))
        server.stop()
        cd.stop()
    return {what: statistics.median(seconds) for what, seconds in times.items()}


def notebook_rows(floor: float) -> list[str]:
    rows, first_lessons = [], []
    for path in [*sorted(NOTEBOOKS.glob("*.ipynb")), *sorted(SOLUTIONS.glob("*.ipynb"))]:
        run = execute(path)
        early = path.parent == NOTEBOOKS and int(path.name[:2]) < FIRST_LESSONS
        if early:
            first_lessons.append(run.seconds)
        budget = scaled(LESSON_SECONDS if early else LATER_NOTEBOOK_SECONDS, floor)
        ok = run.seconds <= budget and run.peak_mb <= PEAK_MB
        rows.append(f"| {path.relative_to(ROOT)} | {run.seconds:.1f} | {budget:.1f} | {run.seconds / floor:.0f} | "
                    f"{run.peak_mb:.0f} | {'yes' if ok else '**no**'} |")
        print(rows[-1], flush=True)
    median, budget = statistics.median(first_lessons), scaled(LESSON_MEDIAN_SECONDS, floor)
    rows.append(f"| median of lessons 00-05 | {median:.1f} | {budget:.1f} | {median / floor:.0f} | | "
                f"{'yes' if median <= budget else '**no**'} |")
    print(rows[-1], flush=True)
    return rows


def test_command_seconds() -> float:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"the test command failed, so its time means nothing:\n{run.stdout[-3000:]}")
    return time.perf_counter() - started


def report(quick: bool) -> str:
    starts = cold_starts()
    floor, cold, fork = starts["floor"], starts["spawned"], starts["forked"]
    print(f"floor {floor:.3f} s; to healthy: new interpreter {cold:.3f} s ({cold / floor:.2f}x), "
          f"forked {fork:.3f} s ({fork / floor:.2f}x); first start in a kernel {starts['first']:.3f} s", flush=True)
    notebooks = notebook_rows(floor)
    broker = broker_starts()
    end_to_end, draining = events_per_second()
    print(f"broker start {broker:.3f} s, events {end_to_end:.0f}/s end to end, {draining:.0f}/s draining", flush=True)
    push_to_green = ci_push_to_green()
    print(f"CI push to green {push_to_green:.1f} s", flush=True)
    delivered = delivery_times()
    print(f"delivery: {delivered}", flush=True)
    router = router_starts()
    deployed = deployment_times()
    print(f"router start {router:.3f} s; deployment: {deployed}", flush=True)
    lines = [
        "# Benchmark", "",
        f"Measured by `python -m shipyard.tools.bench` on {datetime.date.today()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}. Regenerate it after any change to a lesson.", "",
        "## Restart & Run All", "",
        f"This run's floor: {floor:.3f} s (a bare `python -c \"import fastapi, uvicorn\"`, the median of 7). "
        f"Budgets are stated at a floor of {REFERENCE_FLOOR} s and scale with this run's: lessons 00-05 at most "
        f"{LESSON_SECONDS} s each and {LESSON_MEDIAN_SECONDS} s as their median, later lessons and solutions "
        f"{LATER_NOTEBOOK_SECONDS} s, every notebook {PEAK_MB} MB. The ratio divides the seconds by the floor. "
        "Peak memory is the proportional set size (PSS: a page shared by several processes, as services forked "
        "by the zygote share its pages, counted once in all) of the kernel plus every process it started, at "
        "its highest.", "",
        "| notebook | seconds | budget today (s) | ratio to the floor | peak MB | within budget |",
        "|---|---|---|---|---|---|", *notebooks, "",
        "## Service cold start", "",
        "Median of 7, from `services.start(\"catalog\")` to its first healthy answer, against the floor: "
        "a bare `python -c \"import fastapi, uvicorn\"`. Two ways, interleaved: a new interpreter (the old way, "
        f"budget 1.5x) and a fork of the kernel's zygote, which has those imports done (budget {FORKED_RATIO}x). "
        "The first start in a kernel also waits for the zygote to start; it is timed once.", "",
        "| floor (s) | new interpreter (s) | ratio | forked (s) | ratio | first start in a kernel (s) | within budget |",
        "|---|---|---|---|---|---|---|",
        f"| {floor:.3f} | {cold:.3f} | {cold / floor:.2f} | {fork:.3f} | {fork / floor:.2f} | {starts['first']:.3f} | "
        f"{'yes' if cold / floor <= COLD_START_RATIO and fork / floor <= FORKED_RATIO else '**no**'} |", "",
        "## The broker and the event path", "",
        "Broker start: median of 7, from starting nats-server to JetStream answering healthy. Events per "
        "second: 1,000 orders placed over HTTP (8 at a time) on the events shop, from the first order to "
        "the last one paid (each order is one `orders.placed` and one `payments.*` event); then 1,000 "
        "`orders.placed` waiting while payments was down, drained by the payments consumer alone.", "",
        "| broker start (ms) | orders paid per second, end to end | events per second, payments draining |",
        "|---|---|---|", f"| {broker * 1000:.0f} | {end_to_end:.0f} | {draining:.0f} |", "",
        "## CI: push to green", "",
        "Median of 3: `git push` of the payments repository to the green verdict of its workflow "
        "(lesson 05's: install, lint with ruff, unit tests, component and contract tests) on `shipyard.ci`.", "",
        "| seconds |", "|---|", f"| {push_to_green:.1f} |", "",
        "## Delivery: push to a release ready to deploy, and to production", "",
        "Median of 3 pushes of payments with lesson 06's delivery workflow (tests, build once, publish, deploy to "
        "staging, smoke test): from `git push` to the smoke test's pass in the release log; the publish step "
        "(twine to the kernel's pypiserver); the deploy to staging (fetch from the index, check the sha256, "
        "install with uv, start); a promotion to production once approved (the same, in the kernel). "
        f"Goal: a promotion within {PROMOTION_SECONDS} s.", "",
        "| push to ready (s) | publish (s) | deploy to staging (s) | promotion to production (s) | within the goal |",
        "|---|---|---|---|---|",
        f"| {delivered['ready']:.1f} | {delivered['publish']:.2f} | {delivered['staging']:.2f} | "
        f"{delivered['production']:.2f} | {'yes' if delivered['production'] <= PROMOTION_SECONDS else '**no**'} |", "",
        "## Continuous deployment: push to production, and a rollback", "",
        "Router start: median of 7, from starting Traefik to its ping answering. Then the median of 3 repositories "
        "with lesson 07's continuous deployment workflow, each pushed three times under open-loop traffic (50 "
        "requests a second): a good commit, from `git push` to the router sending it all of production's traffic "
        "(tests, build, publish, staging, smoke test, the canary's two steps and analyses); a bad commit the tests "
        "miss, from its first production traffic to the rollback (the exposure), and from the failing analysis "
        f"reading to the rollback. Goal: a good commit in production within {PUSH_TO_PRODUCTION_SECONDS} s.", "",
        "| router start (s) | push to 100% of production (s) | bad commit exposed (s) | detected to rolled back (s) "
        "| within the goal |", "|---|---|---|---|---|",
        f"| {router:.3f} | {deployed['to production']:.1f} | {deployed['exposed']:.2f} | "
        f"{deployed['detected to rolled back']:.3f} | "
        f"{'yes' if deployed['to production'] <= PUSH_TO_PRODUCTION_SECONDS else '**no**'} |", "",
    ]
    if not quick:
        seconds = test_command_seconds()
        print(f"test command {seconds:.0f} s", flush=True)
        budget = scaled(TEST_SECONDS, floor)
        lines += ["## The whole test command", "",
                  f"`python -m pytest`, every gate included, on {os.cpu_count()} cores. Budget: {TEST_SECONDS} s at a "
                  f"floor of {REFERENCE_FLOOR} s, scaled to this run's.", "",
                  "| seconds | budget today (s) | ratio to the floor | within budget |", "|---|---|---|---|",
                  f"| {seconds:.0f} | {budget:.0f} | {seconds / floor:.0f} | {'yes' if seconds <= budget else '**no**'} |", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shipyard.tools.bench")
    parser.add_argument("--quick", action="store_true", help="skip timing the whole test command")
    text = report(parser.parse_args().quick)
    (ROOT / "BENCHMARK.md").write_text(text)
    print(f"wrote {ROOT / 'BENCHMARK.md'}")


if __name__ == "__main__":
    main()

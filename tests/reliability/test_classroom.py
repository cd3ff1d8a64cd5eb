"""A classroom on one server: thirty learners run the same notebooks side by side, so nothing a
lesson starts may take a fixed port, share a path or outlive its kernel.

Two checks keep that true at a cost that grows with the kinds of things the course starts,
not with its lessons: every line a lesson, an exercise or the course's library runs is read
for a fixed port or a shared path; and six learners, each in a kernel of their own, start one
of every kind at the same moment (a service, replicas on one socket, a changed copy of a
service, the broker with the events shop, a tethered command, a Pact mock server, a CI server
whose workflow act runs, lesson 06's package index, staging and deploy API, which a delivery
workflow reaches from act's own network, lesson 07's router in front of a service), and must all succeed, get
ports and folders of their own, and leave nothing behind. A new kind of resource (lesson 08's containers) joins
`KINDS`."""
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest
from kernels import run_in_one_kernel

from shipyard.paths import EXERCISES, NOTEBOOKS, ROOT, SERVICES, SOLUTIONS

LEARNERS = 6

# What would let two learners collide, as it would be written.
FIXED = {
    "a fixed port in an address": re.compile(r"(127\.0\.0\.1|localhost)\s*:\s*[1-9]\d{1,4}\b"),
    "a fixed port argument": re.compile(r"\bport\s*=\s*[1-9]\d{1,4}\b|--port[ =][1-9]"),
    "a bind to a fixed port": re.compile(r"\(\s*['\"](127\.0\.0\.1|localhost|0\.0\.0\.0)?['\"]\s*,\s*[1-9]\d{1,4}\s*\)"),
    "every interface instead of 127.0.0.1": re.compile(r"0\.0\.0\.0"),
    "a shared folder": re.compile(r"['\"]/tmp\b|Path\.home\(\)|expanduser\(|gettempdir\(|['\"]~/"),
}


def code_lines():
    """Every line of code the course runs for a learner: notebooks' code cells, the library,
    the sample services (their tests run in a learner's pytest too)."""
    for folder in (NOTEBOOKS, SOLUTIONS, EXERCISES):
        for path in sorted(folder.glob("*.ipynb")):
            cells = nbformat.read(path, as_version=4).cells
            for number, cell in enumerate(cells):
                if cell.cell_type == "code":
                    for line in cell.source.splitlines():
                        yield f"{path.relative_to(ROOT)} cell {number}", line
    for path in sorted([*(ROOT / "shipyard").rglob("*.py"), *SERVICES.rglob("*.py")]):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", line


def test_no_lesson_exercise_or_library_line_names_a_fixed_port_or_a_shared_folder():
    found = [f"{where}: {what}: {line.strip()}" for where, line in code_lines()
             for what, pattern in FIXED.items() if pattern.search(line.split("#")[0])]
    assert found == []


@pytest.mark.parametrize("line", ["httpx.get('http://127.0.0.1:8000/health')", "uvicorn.run(app, port=8080)",
                                  "socket.create_server(('127.0.0.1', 5000))", "open('/tmp/shop.sqlite3')",
                                  "Path.home() / '.shop'", "host='0.0.0.0'"])
def test_the_static_check_sees_each_way_of_fixing_a_port_or_sharing_a_folder(line):
    assert any(pattern.search(line) for pattern in FIXED.values())


KINDS = """
import json, os, sys
import psutil
from pact import Pact
import httpx
from shipyard import bus, ci, contracts, delivery, deploy, services
from shipyard.delivery import pipeline
from shipyard.runtime import processes
from shipyard.paths import workdir

WORKFLOW = '''on: push
jobs:
  listen:
    runs-on: ubuntu-latest
    steps:
      - run: python3 -c "import socket; s = socket.create_server(('127.0.0.1', 0)); print(s.getsockname()[1])"
'''
broker = bus.start()
shop = services.start_shop("events", broker=broker)
replicas = services.start_replicas("shop-monolith", 2)
changed = contracts.start_changed("catalog")
router = deploy.start_router("catalog")
router.route({"catalog": [shop["catalog"].url]})
routed = httpx.get(router.url + "/health", timeout=5).status_code
server = ci.start()
delivered = delivery.start()
delivered.connect(server)
repo = pipeline.delivery_repository(server.clone("learner"))
repo.write(".github/workflows/ci.yml", WORKFLOW)
repo.commit("A workflow whose step listens, and the delivery workflow")
run = server.wait(repo.push(), 300)
listened = processes.run([sys.executable, "-c", "import socket; print(socket.create_server(('127.0.0.1', 0)))"], 30)
with Pact("orders", "catalog").serve(addr="127.0.0.1") as mock:
    mocked = mock.url
# The ports held now, to the end: what every child listens on, and the CI server's own.
ports = {c.laddr.port for p in psutil.Process().children(recursive=True) for c in p.net_connections("inet")
         if c.status == psutil.CONN_LISTEN} | {int(url.split(":")[2].split("/")[0]) for url in (server.url, delivered.api.url)}
print(json.dumps({"workdir": str(workdir()), "ports": sorted(ports), "ci": run.status, "ran": listened.returncode, "routed": routed,
                  "staged": delivered.staging.sha256 == next(iter(delivered.index.files().values()), None),
                  "failed": [f"{job}/{step.name}: {step.log[-400:]}" for job, step in run.failed_steps()] + [run.error],
                  "folders": [str(s.folder) for s in [*shop.values(), changed, delivered.index, delivered.staging.instance, router]]
                             + [str(server.folder), str(delivered.staging.folder), str(delivered.log.path)],
                  "pids": [p.pid for p in psutil.Process().children(recursive=True)]}))
"""


def still_running(pids: list[int]) -> list[str]:
    alive = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(" ".join(process.cmdline())[:100])
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.timeout(600)
def test_six_learners_start_every_kind_of_resource_at_once_without_sharing_a_port_or_a_folder_and_leave_nothing():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KINDS)])

    def learner(_):  # a kernel of its own, ended when the notebook is done
        [executed] = run_in_one_kernel([notebook], cwd=NOTEBOOKS)
        return json.loads(executed.cells[0].outputs[-1]["text"])

    with ThreadPoolExecutor(LEARNERS) as pool:
        learners = list(pool.map(learner, range(LEARNERS)))  # any error in a kernel raises here
    ports = [port for learner in learners for port in learner["ports"]]
    assert [(learner["ci"], learner["ran"], learner["staged"], learner["routed"]) for learner in learners] == \
        [("success", 0, True, 200)] * LEARNERS, \
        [learner["failed"] for learner in learners]
    # three services and the broker of the events shop, the replicas' socket, the changed catalog, the CI server,
    # the index, staging and the deploy API, the router's two
    assert all(len(learner["ports"]) >= 12 for learner in learners), learners
    assert len(ports) == len(set(ports)), f"learners shared ports: {ports}"
    assert len({learner["workdir"] for learner in learners}) == LEARNERS
    assert all(Path(folder).is_relative_to(learner["workdir"]) for learner in learners for folder in learner["folders"])
    deadline = time.monotonic() + 5  # the kernels have ended: five seconds later, nothing of theirs is left
    while (left := still_running([pid for learner in learners for pid in learner["pids"]])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [] and not any(Path(learner["workdir"]).exists() for learner in learners)

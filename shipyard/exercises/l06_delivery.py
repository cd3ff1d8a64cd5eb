"""Lesson 06's tasks and challenges.

Tasks, rising in difficulty: which part of a delivery pipeline handles which situation (from
the lesson's runs); a feature flag with a fractional rollout, evaluated by the real
OpenFeature client for many customers; the catalog's delivery workflow, pushed to a fresh
origin with its own index and staging. A check stops everything it starts."""
import json
import shutil
import tempfile
from contextlib import contextmanager

from shipyard import ci, delivery
from shipyard.delivery import flags
from shipyard.delivery.pipeline import delivery_repository
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.l05_ci import _last_lines, _push
from shipyard.exercises.matching import check_matching
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import workdir

# --- which_guard (conceptual) ---------------------------------------------------------------
TESTS, STAGING, INDEX, GATE, FLAG = "the tests", "staging", "the index", "the manual gate", "a feature flag"
SITUATIONS = {
    "a": "A file the service reads when it starts is in the repository but not in the wheel.",
    "b": "Someone uploads different bytes under a version that was already released.",
    "c": "A finished feature must reach customers next Monday, and no one may deploy on Monday.",
    "d": "A regression declines a charge of exactly the limit in payments' `domain.charge`.",
    "e": "A release passed staging on Friday evening; nothing may reach production before Monday.",
}
# The right guard for each situation, and why each wrong one is wrong, from lesson 06's runs.
GUARDS = {
    "a": (STAGING, {
        TESTS: "the tests run from the source tree, where the file is: in 6.6 every test passed on Bob's commit.",
        INDEX: "the index takes any well-formed wheel: in 6.6 Bob's release was published, file missing and all.",
        GATE: "an approval says when, not whether the release works: in 6.6 production refused Bob's release "
              "even approved, because staging had not passed it.",
        FLAG: "a flag switches code that runs; a service that cannot start runs no code at all."}),
    "b": (INDEX, {
        TESTS: "the tests check code, not the files in the index.",
        STAGING: "staging runs what it is given; it is the index that refused the same version in 6.4.",
        GATE: "an approval names a version; the index is what keeps that version's bytes from changing (6.4).",
        FLAG: "a flag changes behaviour, not the bytes a version holds."}),
    "c": (FLAG, {
        TESTS: "tests decide whether code may ship, not when customers see it.",
        STAGING: "staging tests a release before production; it does not decide when a feature reaches customers.",
        INDEX: "the index stores releases; it switches nothing on.",
        GATE: "the gate promotes a deploy, and Monday allows none: in 6.8 the flag file turned the feature on "
              "with no deploy."}),
    "d": (TESTS, {
        STAGING: "a smoke test checks that the release runs, not every edge of every rule; a unit test at the "
                 "limit catches this in seconds, before any build.",
        INDEX: "the index stores whatever passed the build; it tests nothing.",
        GATE: "an approver reads no code; the tests are where a rule's edge is checked.",
        FLAG: "a flag hides a feature; this is a bug in code every customer runs."}),
    "e": (GATE, {
        TESTS: "the tests passed already; they say nothing about when to ship.",
        STAGING: "staging passed the release; it would be promoted the moment someone asks.",
        INDEX: "the index holds the release either way.",
        FLAG: "a flag hides a feature inside a release; the release itself reaches production when someone "
              "promotes it: that decision is the gate (6.5)."}),
}


def _check_which_guard(which_guard) -> str:
    return check_matching(which_guard, "which_guard", GUARDS, {"TESTS": TESTS, "STAGING": STAGING, "INDEX": INDEX,
                                                               "GATE": GATE, "FLAG": FLAG}, "situation",
        "All five right. Tests catch wrong code early; staging catches a release that does not run as installed; "
        "the index keeps each version's bytes; the gate decides when; a flag decides who.")


which_guard = Task(
    name="which_guard", lesson="06-continuous-delivery", checker=_check_which_guard, seconds=5,
    hints=["Each situation is about one thing the lesson showed: what the tests ran against (6.6), what the "
           "index refused (6.4), what production needs (6.5, 6.6), and what changed with no deploy (6.8).",
           "A rule's edge is the tests' job; a release that does not run once installed is staging's; a "
           "version's bytes are the index's; when to ship is the gate's; who sees a feature is a flag's.",
           "Two situations are about timing: one needs no deploy at all, the other holds a deploy back."])


# --- raised_limit_flag: a fractional rollout ------------------------------------------------
PERCENT, TOLERANCE, CUSTOMERS = 25, 3, [f"c-{n:05d}" for n in range(4000)]


def _evaluated(flag_file, customers) -> dict[str, bool]:
    try:
        return flags.evaluate(flag_file, "raised-limit", customers)
    except flags.FlagError as error:
        raise Wrong(f"OpenFeature could not use your flag: {error}.") from None


def _check_flag(raised_limit_flag) -> str:
    if not callable(raised_limit_flag):
        raise Wrong("`raised_limit_flag` should be a function: `def raised_limit_flag(): return {...}`")
    raised_limit_flag = raised_limit_flag()
    if not isinstance(raised_limit_flag, dict):
        raise Wrong(f"raised_limit_flag() returned {type(raised_limit_flag).__name__}: it should return a dict, one "
                    "flag in flagd's format, with `state`, `variants`, `defaultVariant` and `targeting`.")
    try:
        text = json.dumps({"flags": {"raised-limit": raised_limit_flag}})
    except (TypeError, ValueError) as error:
        raise Wrong(f"Your flag cannot be written as JSON: {error}.") from None
    folder = tempfile.mkdtemp(prefix="exercise-06-", dir=workdir())
    try:
        path = f"{folder}/flags.json"
        with open(path, "w") as file:
            file.write(text)
        first = _evaluated(path, CUSTOMERS)
        again = _evaluated(path, CUSTOMERS)
        nobody = _evaluated(path, [""])[""]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    changed = sum(first[c] != again[c] for c in CUSTOMERS)
    if changed:
        raise Wrong(f"{changed} of {len(CUSTOMERS)} customers got a different answer the second time: a customer "
                    "must keep the feature, or keep not having it. Split by the customer's id (the targeting key), "
                    "which `fractional` uses when you give it only the buckets.")
    share = 100 * sum(first.values()) / len(CUSTOMERS)
    if share in (0, 100):
        raise Wrong(f"Every one of {len(CUSTOMERS)} customers got the same answer ({'on' if share else 'off'}). "
                    "A rollout gives the feature to some: a `fractional` targeting rule, with the `on` variant for "
                    f"{PERCENT}% and `off` for the rest. (A `fractional` rule given only its buckets splits by the "
                    "customer's id, the targeting key; one that splits by anything else may find nothing to split.)")
    if abs(share - PERCENT) > TOLERANCE:
        raise Wrong(f"{share:.1f}% of {len(CUSTOMERS)} customers got the feature; the task asks for {PERCENT}%. Is "
                    f"the weight of the `on` bucket {PERCENT}, and the `off` bucket's {100 - PERCENT}?")
    if nobody:
        raise Wrong("A charge with no customer id got the feature. With no id there is nothing to split by: the "
                    "flag's default variant should be `off`.")
    return (f"{share:.1f}% of {len(CUSTOMERS)} customers have the raised limit, each the same at every evaluation, "
            "and a request without a customer id gets the default, off.")


raised_limit_flag = Task(
    name="raised_limit_flag", lesson="06-continuous-delivery", checker=_check_flag, seconds=30,
    hints=["A rollout is a targeting rule: customers are split into buckets by a hash of their id, so each one "
           "keeps their answer. Look at `flags.boolean(rollout=20)` in 6.8.",
           "flagd's format: `state` ENABLED, `variants` on: True and off: False, `defaultVariant` off, and "
           "`targeting` with a `fractional` rule listing each variant with its weight.",
           "`\"targeting\": {\"fractional\": [[\"on\", 25], [\"off\", 75]]}`: the weights are percentages."])


# --- catalog_delivery: the delivery workflow, for real -------------------------------------
@contextmanager
def _delivered_catalog(workflow: str):
    """A fresh index, staging and CI server for the catalog, and a clone with `workflow`; all gone after."""
    if not isinstance(workflow, str) or "raise NotImplementedError" in workflow:
        raise Unfinished
    shop = delivery.start(app="catalog.app:app")
    server = ci.start()
    try:
        shop.connect(server)
        repo = delivery_repository(server.clone("checker"), None, service="catalog")
        repo.write(".github/workflows/delivery.yml", workflow)
        yield shop, server, repo
    finally:
        server.stop()
        shop.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


def _check_delivery(workflow: str) -> str:
    with _delivered_catalog(workflow) as (shop, server, repo):
        good = _push(server, repo, "The catalog, with its delivery workflow", "good code")
        if good.status != "success":
            why = " ".join(_last_lines(good).split())
            if "400 Bad Request" in why:  # twine does not say why; pypiserver's reason is in its log
                why += " (the index answers 400 to a version it already holds: build once, publish once)"
            raise Wrong(f"Your workflow failed on good code: {why}")
        files = shop.index.files()
        if len(files) != 1:
            raise Wrong(f"After one green run the index holds {len(files)} files: {sorted(files) or 'none'}. Build "
                        "once (`python ci-deliver.py build catalog`) and publish that wheel with twine.")
        (name, digest), = files.items()
        if shop.staging.sha256 != digest:
            raise Wrong("The index holds a release, but staging does not run it. After publishing, ask the deploy "
                        "API for it: `python ci-deliver.py deploy staging`, with DEPLOY_API_URL set.")
        if not shop.log.has("smoke-tested", shop.staging.release, environment="staging", passed=True):
            raise Wrong("Staging runs the release, but no smoke test ran there, so the release is not ready to "
                        "promote. Add a step after the deploy: `python ci-deliver.py smoke-test staging`.")
        if shop.production.instance is not None:
            raise Wrong("Your workflow deployed to production: in continuous delivery that waits for an approval.")
        repo.write("catalog/tests/component/test_broken.py", "def test_broken():\n    assert False\n")
        bad = _push(server, repo, "A change that breaks a test", "a failing test")
        if bad.status == "success":
            raise Wrong("Your workflow stayed green on a commit whose test fails. Does it run the catalog's tests "
                        "(`python -m pytest -q tests/component` in the catalog folder), without `|| true`?")
        published = sorted(set(shop.index.files()) - {name})
        if published:
            raise Wrong(f"A commit whose test fails was published anyway ({published[0]}): the release job should "
                        "`needs:` the test job, so nothing is built or published unless the tests pass.")
        if shop.staging.sha256 != digest:
            raise Wrong("A commit whose test fails changed what staging runs: nothing should be deployed unless "
                        "the tests pass.")
    return (f"One green run ({good.seconds:.1f} s) left {name} in the index and its sha256 in staging, "
            f"smoke-tested; the failing test stopped the next run before anything was published: {_last_lines(bad)}")


catalog_delivery = Task(
    name="catalog_delivery", lesson="06-continuous-delivery", checker=_check_delivery, seconds=180,
    hints=["Two jobs: the tests, then a release job that `needs` them and builds once, publishes, deploys to "
           "staging and smoke-tests it. Start from the lesson's workflow (6.2).",
           "The release job's steps: checkout (with `fetch-depth: 0`), setup-python, `python ci-install.py`, "
           "`python ci-deliver.py build catalog`, twine upload of `dist/*.whl`, then "
           "`python ci-deliver.py deploy staging` and `python ci-deliver.py smoke-test staging`.",
           "twine reads TWINE_REPOSITORY_URL (`${{ vars.INDEX_URL }}`), TWINE_USERNAME (`ci`) and TWINE_PASSWORD "
           "(`${{ secrets.INDEX_PASSWORD }}`); the deploy steps read DEPLOY_API_URL (`${{ vars.DEPLOY_API_URL }}`). "
           "The tests run in `catalog`: `python -m pytest -q tests/component`."])


# --- the lesson's challenges (never graded): each wrong option is a misconception its run refutes
WHERE = ["nowhere yet: the pipeline stops once the wheel is in the index",
         "in staging only: production waits for someone's approval",
         "in staging and in production: a green pipeline means deployed"]


def _where_outcome(running: tuple[bool, bool]) -> int:
    """(does staging run the release?, does production?)"""
    in_staging, in_production = running
    return 2 if in_production else 1 if in_staging else 0


where_it_runs = Prediction(
    "where_it_runs", "Ana pushes payments to main. Once the delivery pipeline has finished, where does her commit run?",
    WHERE, outcome=_where_outcome)

rebuild = Choice("rebuild", "Production could get a fresh build of the same commit instead of the file staging ran. "
                 "Why does the pipeline promote the file from the index?", [
    Option("Because a rebuild always gives different bytes",
           "Not always: a reproducible build (hatchling's, here) can give the very same bytes, and 6.4 compares the "
           "two hashes in this run. The reason holds either way: the file staging tested is the evidence."),
    Option("Because production must run exactly what staging tested, and a rebuild is a file nobody tested",
           "Build once: every stage after the build uses that one file, and each deploy checks its sha256 against "
           "the release record. A rebuild could differ (another version of the build backend or of a "
           "dependency) and would have to be tested again to be trusted.", right=True),
    Option("Because building takes longer than copying",
           "The build is one of the pipeline's short steps (see its timeline in 6.3); what is at stake is trust "
           "in the file, not time."),
])

packaging = Choice("packaging", "Bob moves the card limit into a file beside payments' pyproject.toml. Every unit and "
                   "component test passes. Where will the pipeline stop his commit?", [
    Option("Nowhere: the tests pass, so the release is good",
           "No: the tests ran from the source tree, where the file is. The wheel holds only the package, and the "
           "service installed from it cannot start: the deploy to staging fails."),
    Option("At the build: a wheel without the file will not build",
           "No: the build is green: a wheel takes the package and never looks for the file. What is missing shows "
           "only when the installed service starts."),
    Option("At staging: the service installed from the wheel cannot start",
           "Staging runs the release the way production would, installed from the index. The file was in the "
           "repository but not in the wheel, so the installed service stops at import, and the release never "
           "passes staging.", right=True),
])

SHARE = ["the first 60 of them, c-0000 to c-0059: a rollout takes customers in order",
         "a fifth of them, scattered: each customer falls in a bucket by a hash of their id",
         "none: a flag takes effect only when payments is deployed again"]


def _share_outcome(answers: dict[str, bool]) -> int:
    """{customer: has the feature?}, customers in order."""
    on = [customer for customer, has in answers.items() if has]
    return 2 if not on else 0 if on == list(answers)[:len(on)] else 1


rollout_share = Prediction(
    "rollout_share", "The raised limit goes to a 20% rollout, by writing the flag file, with no deploy. Which of the "
    "300 customers, c-0000 to c-0299, get it?", SHARE, outcome=_share_outcome)

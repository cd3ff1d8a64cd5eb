"""Lesson 05's experiment, as real git and real CI runs: what each way of integrating does."""
import pytest

from shipyard import ci
from shipyard.ci import teamwork


@pytest.fixture
def server():
    started = ci.start()
    yield started
    started.stop()


def test_the_seed_deals_the_work_the_same_way_every_time_and_seeds_differ():
    def dealt(seed):
        alices, bobs, _ = teamwork.plan(seed)
        return [[cell.cell_contents for cell in change.__closure__ or ()] for change in alices + bobs]

    assert dealt(3) == dealt(3)
    assert len({str(dealt(seed)) for seed in range(6)}) > 1
    alices, bobs, _ = teamwork.plan(0)
    assert len(alices) == len(bobs) == 3


def test_long_lived_branches_build_green_alone_and_the_break_bisect_finds_is_the_merge(server):
    outcome = teamwork.long_lived_branches(server, seed=0)
    assert outcome.branch_builds and all(run.status == "success" for run in outcome.branch_builds)
    assert outcome.red_builds >= 1 and outcome.largest_red_batch > 1
    assert outcome.searches[0].merge and outcome.searches[0].steps >= 1
    assert outcome.main_builds[-1].run.status == "success" and len(outcome.red_spells) == len(outcome.searches)


def test_trunk_finds_a_break_in_the_one_commit_that_caused_it_without_running_a_test(server):
    outcome = teamwork.trunk(server, seed=0)
    assert outcome.red_builds >= 1 and outcome.largest_red_batch == 1
    assert all(s.commits == 1 and s.steps == 0 and not s.merge for s in outcome.searches)
    assert outcome.main_builds[-1].run.status == "success"


def test_a_fix_that_never_turns_main_green_is_given_up_after_a_bound_and_main_goes_back_to_green(server, monkeypatch):
    monkeypatch.setattr(teamwork, "_call_by_todays_name",
                        lambda repo: repo.git("commit", "-q", "--allow-empty", "-m", "a fix that fixes nothing"))
    outcome = teamwork.long_lived_branches(server, seed=0)
    red = [build for build in outcome.main_builds if build.red]
    assert outcome.reverted == 1 and len(red) == teamwork.FIXES + 1
    assert outcome.main_builds[-1].run.status == "success"


def test_a_rebase_that_keeps_stopping_at_conflicts_is_given_up_after_a_bound(server, monkeypatch):
    monkeypatch.setattr(teamwork, "REBASES", 0)
    with pytest.raises(RuntimeError, match="still stopped at a conflict after 0 resolutions"):
        teamwork.trunk(server, seed=0)


def test_a_conflict_is_resolved_by_keeping_both_sides(server):
    alice, bob = server.clone("alice"), server.clone("bob")
    alice.write("list.txt", "start\nend\n")
    alice.commit("list")
    alice.push("main")
    bob.git("pull", "-q", "origin", "main")
    for repo, item in ((alice, "apples"), (bob, "pears")):
        repo.write("list.txt", f"start\n{item}\nend\n")
        repo.commit(item)
    alice.push("main")
    assert "CONFLICT" in bob.git("pull", "-q", "--no-rebase", "origin", "main", check=False)
    assert teamwork.keep_both_sides(bob) == [2]
    assert bob.read("list.txt") == "start\npears\napples\nend\n"


class FakeRun:
    def __init__(self, status):
        self.status = status


def outcome(way, seed, conflicts, red, seconds_red):
    made = teamwork.Outcome(way, seed, conflicts=conflicts,
                            main_builds=[teamwork.Build(FakeRun("failure"), 2) for _ in range(red)])
    made.red_spells = [seconds_red] if red else []
    return made


def test_the_summary_says_what_the_numbers_show_whichever_way_they_fall():
    experiment = teamwork.Experiment([
        outcome("long-lived branches", 0, [5], 1, 3.0), outcome("trunk", 0, [1, 1], 0, 0.0),
        outcome("long-lived branches", 1, [5], 0, 0.0), outcome("trunk", 1, [1], 2, 1.0)])
    said = dict(line.split(": ", 1) for line in teamwork.summary(experiment))
    assert said["merge conflicts"] == ("median 1 on long-lived branches, 1.5 on trunk; "
                                       "trunk had fewer in 0, more in 1, as many in 1 of 2 seeds.")
    assert said["red builds of main"].endswith("trunk had fewer in 1, more in 1, as many in 0 of 2 seeds.")
    assert said["seconds main stayed red"] == ("median 1.50 s on long-lived branches, 0.50 s on trunk; "
                                               "trunk was shorter in 1 and longer in 1 of 2 seeds.")

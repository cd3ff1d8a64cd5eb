"""Lesson 05's experiment, as real git and real CI runs: what each way of integrating does."""
from shipyard import ci
from shipyard.ci import teamwork


def test_long_lived_branches_build_green_alone_and_break_main_when_merged():
    outcome = teamwork.long_lived_branches(server := ci.start())
    try:
        assert outcome.other_builds and all(run.status == "success" for run in outcome.other_builds)
        assert outcome.conflicts and outcome.red_builds >= 1 and outcome.largest_red_batch > 1
        assert outcome.main_builds[-1][0].status == "success"  # fixed in the end
    finally:
        server.stop()


def test_trunk_finds_the_break_in_the_one_commit_that_caused_it():
    outcome = teamwork.trunk(server := ci.start())
    try:
        assert outcome.red_builds >= 1 and outcome.largest_red_batch == 1
        assert max(outcome.conflicts) < max(teamwork.long_lived_branches(other := ci.start()).conflicts)
        assert outcome.main_builds[-1][0].status == "success"
    finally:
        server.stop()
        other.stop()


def test_a_conflict_is_resolved_by_keeping_both_sides(tmp_path):
    server = ci.start()
    try:
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
    finally:
        server.stop()

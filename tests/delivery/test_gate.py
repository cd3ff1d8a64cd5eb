"""The manual gate: the button's function records who approved, and promotes or says why not."""
from shipyard.delivery import Environment, gate


def test_approving_a_staged_release_records_who_and_promotes_it(index, log, release):
    index.publish(release.wheel)
    staging = Environment("staging", index, log)
    production = Environment("production", index, log, needs=("staging", "approval"))
    try:
        staging.deploy(release)
        staging.smoke_test()
        said = gate.approve_and_promote(log, production, release, by=" ana ")
        assert "approved by ana and running in production" in said
        assert [e["by"] for e in log.entries(release) if e["event"] == "approved"] == ["ana"]
        assert production.sha256 == release.sha256
    finally:
        staging.instance.stop()
        production.instance.stop()


def test_the_gate_says_why_it_did_not_promote(index, log, release):
    production = Environment("production", index, log, needs=("staging", "approval"))
    assert gate.approve_and_promote(log, production, release, by="").startswith("Not promoted: an approval names who")
    said = gate.approve_and_promote(log, production, release, by="ana")
    assert said.startswith("Not promoted:") and "has not passed staging" in said
    assert production.instance is None


def test_the_button_shows_what_it_would_approve(index, log, release):
    button = gate.approval_button(log, Environment("production", index, log), release)
    assert repr(button) == f"[Approve {release.version} for production: a button; press it to approve and promote]"

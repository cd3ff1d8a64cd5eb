"""shipyard.suites: a suite's counts and each test's cost come from pytest's own report, and
the process's start-up is kept apart from the tests."""
from shipyard import suites


def test_a_suite_reports_each_test_its_failures_by_name_and_start_up_apart(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n"
        "def test_passes(): assert True\n"
        "def test_fails(): assert 1 == 2, 'one is not two'\n"
        "@pytest.mark.skip\n"
        "def test_skipped(): pass\n")
    suite = suites.run("sample", "test_sample.py", cwd=tmp_path)
    assert (suite.passed, suite.failed, suite.tests) == (1, 1, 2) and not suite.ok
    assert [name for name, _ in suite.failures] == ["test_fails"] and "one is not two" in suite.failures[0][1]
    assert len(suite.durations) == 2 and suite.test_seconds < suite.seconds
    assert abs(suite.startup_seconds + suite.test_seconds - suite.seconds) < 1e-9
    assert "1 passed, 1 failed (FAILED)" in repr(suite)


def test_a_suite_that_cannot_even_collect_counts_as_failed(tmp_path):
    (tmp_path / "test_broken.py").write_text("import a_module_that_is_not_there\n")
    suite = suites.run("broken", "test_broken.py", cwd=tmp_path)
    assert suite.failed >= 1 and not suite.ok

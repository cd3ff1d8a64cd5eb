"""shipyard.deploy.dora works out DORA's four keys from a history of deployments, as one would
by hand, and places each against the 2023 State of DevOps performance levels."""
import pytest

from shipyard.deploy import dora
from shipyard.deploy.dora import DAY, HOUR, MONTH, WEEK, Deployment, Keys

# Three deployments in one day (times in hours):
#   1.0: commits at 0 h and 1 h, deployed at 3 h               -> lead times 3 h, 2 h
#   1.1: commit at 4 h, deployed at 6 h, failed, restored 6.5 h -> lead time 2 h, restore 0.5 h
#   1.2: commits at 5 h and 7 h, deployed at 8 h               -> lead times 3 h, 1 h
# Lead times sorted: 1, 2, 2, 3, 3 h: the median is 2 h. One failure in three: 1/3.
# One restore of half an hour: its median is 1800 s. Three deployments in a day: 3 a day.
HISTORY = [
    Deployment("1.0", commits=(0, 1 * HOUR), deployed_at=3 * HOUR),
    Deployment("1.1", commits=(4 * HOUR,), deployed_at=6 * HOUR, failed=True, restored_at=6.5 * HOUR),
    Deployment("1.2", commits=(5 * HOUR, 7 * HOUR), deployed_at=8 * HOUR),
]


def test_three_deployments_give_the_four_keys_worked_out_by_hand():
    assert dora.keys(HISTORY, seconds=DAY) == Keys(
        deployment_frequency=3.0, lead_time=2 * HOUR, change_failure_rate=pytest.approx(1 / 3), time_to_restore=1800.0)


def test_frequency_is_deployments_a_day_over_the_window():
    assert dora.deployment_frequency(HISTORY, seconds=30) == 8640  # 3 in 30 s; a day holds 2880 windows of 30 s


def test_a_failed_deployment_counts_towards_frequency_because_it_reached_production():
    failed = Deployment("2.0", commits=(), deployed_at=0, failed=True, restored_at=60)
    assert dora.deployment_frequency([failed], seconds=DAY) == 1


@pytest.mark.parametrize("seconds", [0, -DAY])
def test_a_window_that_is_not_longer_than_zero_is_refused(seconds):
    with pytest.raises(ValueError, match="longer than 0 seconds"):
        dora.deployment_frequency(HISTORY, seconds)


def test_no_deployments_give_no_lead_time_no_failure_rate_and_no_time_to_restore():
    assert dora.keys([], seconds=DAY) == Keys(0.0, None, None, None)


def test_no_commits_give_no_lead_time():
    assert dora.lead_time([Deployment("1.0", commits=(), deployed_at=0)]) is None


def test_no_failures_give_a_zero_failure_rate_and_no_time_to_restore():
    calm = [Deployment("1.0", commits=(0,), deployed_at=HOUR), Deployment("1.1", commits=(0,), deployed_at=HOUR)]
    assert dora.change_failure_rate(calm) == 0 and dora.time_to_restore(calm) is None


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    # Lead times 1 h and 3 h: median 2 h. Restores 10 min and 30 min: median 20 min.
    history = [Deployment("1.0", commits=(2 * HOUR,), deployed_at=3 * HOUR, failed=True, restored_at=3 * HOUR + 600),
               Deployment("1.1", commits=(0,), deployed_at=3 * HOUR, failed=True, restored_at=3 * HOUR + 1800)]
    assert dora.lead_time(history) == 2 * HOUR and dora.time_to_restore(history) == 1200


def test_a_failed_deployment_still_down_is_not_counted_in_time_to_restore():
    down = Deployment("1.3", commits=(), deployed_at=9 * HOUR, failed=True)
    assert dora.time_to_restore(HISTORY + [down]) == 1800  # as without it, not pulled towards 0
    assert dora.still_failing(HISTORY + [down]) == [down]
    assert dora.change_failure_rate(HISTORY + [down]) == 0.5  # it still failed: two failures in four


@pytest.mark.parametrize("key_name, inside, outside", [
    ("deployment_frequency", 1.01, 0.99),  # elite is more than once a day
    ("lead_time", DAY - 1, DAY + 1),  # elite is less than one day
    ("change_failure_rate", 0.05, 0.051),  # elite's rate, 5%, read as a ceiling
    ("time_to_restore", HOUR - 1, HOUR + 1),  # elite is less than one hour
])
def test_a_value_just_inside_an_elite_bound_is_elite_and_just_outside_is_high(key_name, inside, outside):
    assert (dora.level(key_name, inside), dora.level(key_name, outside)) == ("elite", "high")


@pytest.mark.parametrize("key_name, value, expected", [
    ("lead_time", DAY, "high"),  # "less than one day" is elite; one day itself is not
    ("deployment_frequency", 1 / 7, "medium"),  # once a week ends high's band and starts medium's
    ("time_to_restore", 2 * WEEK, "low"),  # between medium (up to a week) and low (a month and more)
    ("change_failure_rate", 0.12, "medium"),  # between high's 10% and medium's 15%
])
def test_a_value_on_an_edge_or_in_a_gap_between_bands_belongs_to_the_worse_band(key_name, value, expected):
    assert dora.level(key_name, value) == expected


def test_throughput_in_the_band_medium_and_low_share_is_medium_and_slower_is_low():
    # Once a fortnight and a two-week lead time sit in the shared band; every two months and two months do not.
    assert (dora.level("deployment_frequency", 1 / 14), dora.level("deployment_frequency", 1 / 60)) == ("medium", "low")
    assert (dora.level("lead_time", 2 * WEEK), dora.level("lead_time", 2 * MONTH)) == ("medium", "low")


def test_levels_name_each_key_and_leave_one_without_a_value_as_none():
    assert dora.levels(dora.keys(HISTORY, seconds=DAY)) == {
        "deployment_frequency": "elite", "lead_time": "elite", "change_failure_rate": "low", "time_to_restore": "elite"}
    assert dora.levels(dora.keys([], seconds=DAY))["time_to_restore"] is None


@pytest.mark.parametrize("key_name, value, words", [
    ("deployment_frequency", 1 / 3, ["is high", "to reach elite (more than once a day)", "smaller batches"]),
    ("lead_time", 2 * WEEK, ["is medium", "to reach high (under a week)", "review"]),
    ("change_failure_rate", 0.3, ["is low", "to reach medium (at most 15% of deployments failing)", "what production sends"]),
    ("time_to_restore", 2 * HOUR, ["is high", "to reach elite (under an hour)", "roll back"]),
])
def test_what_would_move_names_the_next_level_its_bound_and_what_to_change(key_name, value, words):
    sentence = dora.what_would_move(key_name, value)
    assert all(word in sentence for word in words), sentence


def test_what_would_move_says_when_a_key_is_already_elite():
    sentence = dora.what_would_move("lead_time", HOUR)
    assert sentence == "Lead time is already elite (under a day); no 2023 level is above it."


def test_an_unknown_key_is_refused_with_the_names_of_the_four():
    with pytest.raises(ValueError, match="deployment_frequency, lead_time, change_failure_rate, time_to_restore"):
        dora.level("mttr", 60)

"""Lesson 06's tasks and challenges."""
from shipyard.exercises.challenges import Choice, Option, Prediction

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
           "the release record. A rebuild could differ (another compiler, another dependency) and would have to be "
           "tested again to be trusted.", right=True),
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

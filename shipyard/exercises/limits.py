"""Run learner code with a deadline, without risking the kernel."""
import ctypes
import threading


CLEANUP_SECONDS = 2  # how long a stopped answer gets to clean up after itself


class TimeLimit(Exception):
    """The learner's code did not finish in time."""


def call_with_deadline(function, *args, seconds: float):
    """Call `function(*args)` in a helper thread; raise TimeLimit after `seconds`.

    A thread cannot be killed, so on time-out we raise TimeLimit inside it
    (PyThreadState_SetAsyncExc), which ends a pure-Python loop at once and a blocking call
    as soon as it returns. The kernel's own thread is free either way.
    """
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed to the caller, who words it
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="shipyard-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimit))
        # Let its `finally` blocks and `with` exits run (a mock server stopped, a service ended)
        # before the check answers: what a check started must not outlive it.
        worker.join(CLEANUP_SECONDS)
        raise TimeLimit
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")

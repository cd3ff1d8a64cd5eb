"""The origin repository's hooks: tell the CI server what was pushed, and ask it whether a
push to a protected branch may land.

    python shipyard/ci/hook.py URL                       post-receive
    python shipyard/ci/hook.py URL --protect BRANCH...   pre-receive
    (git feeds "<old> <new> <ref>" lines on stdin)

Run as a file, it imports only the standard library: a push waits for it.

post-receive: a push never fails because of CI: with no server listening, the hook says so
and exits 0.
pre-receive: a push to a protected branch lands only if the server says so (it says yes to
the merges it made of pull requests whose build is green); with no server answering, the
push is refused, as a protected branch cannot be checked.
"""
import json
import sys
import urllib.error
import urllib.request

ZERO = "0" * 40


def ask(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


def post_receive(url: str) -> None:
    for line in sys.stdin:
        old, new, ref = line.split()
        if not ref.startswith("refs/heads/") or new == ZERO:
            continue  # a tag, or a deleted branch: nothing to build
        try:
            said = ask(url, {"event": "push", "branch": ref.removeprefix("refs/heads/"), "sha": new, "before": old})
            print(f"shipyard CI: {said['message']}")
        except (urllib.error.URLError, OSError):
            print("shipyard CI: no CI server is listening, so nothing will build this push")


def pre_receive(url: str, protected: list[str]) -> int:
    for line in sys.stdin:
        old, new, ref = line.split()
        branch = ref.removeprefix("refs/heads/")
        if not ref.startswith("refs/heads/") or branch not in protected:
            continue
        try:
            said = ask(url.removesuffix("/push") + "/may-update", {"branch": branch, "sha": new})
        except (urllib.error.URLError, OSError):
            said = {"allowed": False, "message": f"{branch} is protected and no CI server answers to check this push"}
        if not said.get("allowed"):
            print(f"shipyard CI: {said['message']}")
            return 1
    return 0


def main() -> None:
    url, *rest = sys.argv[1:]
    if rest[:1] == ["--protect"]:
        sys.exit(pre_receive(url, rest[1:]))
    post_receive(url)


if __name__ == "__main__":
    main()

"""The deploy API: how a pipeline asks this kernel's environments to run a release, as a
team's pipeline asks its platform.

    POST /environments/{name}/deployments   body: a release record (dist/release.json)
        200 {"environment", "version", "url", "seconds"}; 409 {"message"}: refused (see DeployRefused)
    POST /environments/{name}/smoke-tests   200 {"environment", "version", "passed", "failed"}

Served from a thread of this kernel on 127.0.0.1 (a port the OS picks); a CI server reaches
it when it exposes it (`Server.expose`). Bad requests get a 4xx with a JSON message.
"""
from shipyard.delivery.environments import DeployRefused, Environment
from shipyard.delivery.releases import Release
from shipyard.runtime.json_http import JsonEndpoint


class DeployAPI:
    def __init__(self, environments: dict[str, Environment]):
        self.environments = environments
        self._endpoint = JsonEndpoint(self.answer, "deploy-api")
        self.url = self._endpoint.url

    def answer(self, path: str, body: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "environments" or parts[2] not in ("deployments", "smoke-tests"):
            return 404, {"message": f"no such endpoint: {path} (POST /environments/NAME/deployments or /smoke-tests)"}
        environment = self.environments.get(parts[1])
        if environment is None:
            return 404, {"message": f"no environment {parts[1]!r}: there are {', '.join(self.environments)}"}
        try:
            if parts[2] == "deployments":
                release = Release.from_record(body)
                environment.deploy(release)
                seconds = environment.log.entries(release)[-1]["seconds"]
                return 200, {"environment": environment.name, "version": release.version, "url": environment.url,
                             "seconds": seconds}
            passed = environment.smoke_test()
            return 200, {"environment": environment.name, "version": environment.release.version, "passed": passed,
                         "failed": environment.log.entries(environment.release)[-1]["failed"]}
        except (KeyError, TypeError, AttributeError) as error:
            return 400, {"message": f"not a release record ({type(error).__name__}: {error}): "
                                    "send dist/release.json as ci_deliver.py build wrote it"}
        except DeployRefused as refused:
            return 409, {"message": str(refused)}

    def stop(self) -> None:
        self._endpoint.stop()


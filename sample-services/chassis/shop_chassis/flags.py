"""Feature flags, read through OpenFeature from a flagd flag-definition file.

FLAGS_PATH names the file. flagd's provider evaluates it in this process and looks at it
again every tenth of a second, so changing the file turns a feature on or off with no
redeploy. Without FLAGS_PATH every flag is off: a feature merged unfinished stays dark.

    if request.app.state.flags.on("raised-limit", customer_id): ...
"""
import logging

RELOAD_MS = 100  # how often the file is looked at


class Flags:
    def __init__(self, service: str = "", path: str = ""):
        self.client = self._provider = None
        if path:  # imported only when used: a service without flags starts faster
            from openfeature import api
            from openfeature.contrib.provider.flagd import FlagdProvider
            from openfeature.contrib.provider.flagd.config import ResolverType

            # The file resolver of provider 0.6 (the course pins it below 0.7) sleeps deadline_ms
            # between looks at the file; lesson 06 measures how soon a change takes effect.
            self._provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=path,
                                           deadline_ms=RELOAD_MS)
            try:
                api.set_provider_and_wait(self._provider, domain=service)
            except Exception as error:  # noqa: BLE001 (the provider keeps looking at the file)
                logging.getLogger("shop").warning("flags: %s is unreadable (%s); every flag is off until it is fixed",
                                                  path, type(error).__name__)
            self.client = api.get_client(domain=service)

    def on(self, flag: str, customer: str | None) -> bool:
        """Is the boolean `flag` on for this customer? Off without a customer, without a flag
        file, and for a flag the file does not define (OpenFeature answers the default)."""
        if self.client is None or not customer:
            return False
        from openfeature.evaluation_context import EvaluationContext
        return self.client.get_boolean_value(flag, False, EvaluationContext(targeting_key=customer))

    def close(self) -> None:
        if self._provider is not None:
            self._provider.shutdown()

"""``esspass <service> serve``: the same options and uvicorn launch for every service.

A service that ``esspass up`` starts (``python -m esspass.serve <service> serve ...``, with
:data:`PARENT_ENV` set) ends with it, even when ``up`` is killed outright: on Linux it asks the
kernel for SIGTERM when its parent ends, then checks that the parent has not ended already (the
moment between ``up`` starting it and the request), and only then runs the ``esspass`` command.

Every process that serves requests (the one process, or each of ``--workers N``) writes the JSON
logs of :mod:`esspass.web` and creates its files with umask 0077, so that the databases, caches
and keys it makes, which hold personal data or secrets, are its user's alone.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["PARENT_ENV", "PRIVATE_UMASK", "SERVER_LIMITS", "add_serve_parser", "tls_pair_error", "worker_app"]

#: The umask of a serving process: new files 0600, new directories 0700.
PRIVATE_UMASK = 0o077

#: uvicorn's limits for every service process. h11 (not httptools) because it bounds what it holds
#: of a request not yet complete: a 120 MB header line would otherwise be read whole and stall every
#: other request of the process. Past ``limit_concurrency`` open connections new ones get 503 at
#: once; an idle keep-alive connection is closed after 5 s. (Bodies sent a byte at a time are for
#: the reverse proxy in front to cut off, as in any deployment; see README "Own keys in a real
#: deployment".)
SERVER_LIMITS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": 64 * 1024,
                                 "limit_concurrency": 1000, "timeout_keep_alive": 5,
                                 "timeout_graceful_shutdown": 3,
                                 # uvicorn's messages go through esspass.web's JSON handlers, not its own
                                 # plain-text logging config (which would replace them).
                                 "log_config": None}

#: Set by ``esspass up`` to its process id in each service's environment: end when that process does.
PARENT_ENV = "ESSPASS_SERVE_PARENT"
#: The ``esspass up`` that started this service (:func:`die_with_parent`), else None: the one ``up``
#: a service may run and migrate beside (:func:`esspass.migrate.beside_running_up`).
_started_by: int | None = None
#: prctl(2)'s option: the signal this process gets when the thread that started it ends.
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """When :data:`PARENT_ENV` names the parent: SIGTERM (the services' stop) when it ends, and an
    exit now if it has ended already (this process then belongs to another). Linux only; elsewhere
    the parent's own stop is all there is. The variable is removed, so that no process this one
    starts takes it for its own."""
    global _started_by
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None:
        return
    _started_by = int(parent) if parent.isdigit() else None
    _sigterm_when_parent_ends("`esspass up`")
    if str(os.getppid()) != parent:
        raise SystemExit("esspass: the `esspass up` that started this service has ended")


def _sigterm_when_parent_ends(parent: str) -> None:
    """Ask the kernel for SIGTERM when the process that started this one ends (Linux's parent-death
    signal; elsewhere nothing), or say why it cannot; the caller then checks the parent is still there."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        print(f"esspass: cannot ask to end with {parent} (prctl: {os.strerror(ctypes.get_errno())})",
              file=sys.stderr)


#: Which app factory (``verifier.app:create_app``) :func:`worker_app` calls in each worker.
_FACTORY_ENV = "ESSPASS_SERVE_APP_FACTORY"
#: The process id of the ``serve --workers N`` process that supervises the workers (:func:`worker_app`).
_SUPERVISOR_ENV = "ESSPASS_SERVE_SUPERVISOR"


def tls_pair_error(cert: Path | None, key: Path | None) -> str | None:
    """The one-line refusal of a certificate without its key or a key without its certificate:
    either alone would otherwise end in a traceback, or in plain HTTP where HTTPS was meant."""
    if (cert is None) == (key is None):
        return None
    given, missing = ("--tls-cert", "--tls-key") if key is None else ("--tls-key", "--tls-cert")
    return f"esspass: {given} needs {missing} too (both for HTTPS, neither for plain HTTP)"


def worker_app() -> Any:
    """The app of one ``serve --workers N`` process: uvicorn spawns each worker afresh and calls
    this there, so the logging set up in the parent would not reach it; it sets up its own, then
    builds the service's app from the environment.

    A worker ends with its supervisor (SIGTERM, its graceful stop, on Linux): the supervisor killed
    outright (``kill -9``, an out-of-memory kill) would otherwise leave its workers serving, holding
    the port and the serving lock, so that the service's restart fails with "address already in use"
    and ``migrate`` says it is being served, with no process of the service's left to stop."""
    from esspass.web import configure_logging

    supervisor = os.environ.get(_SUPERVISOR_ENV)
    if supervisor is not None:
        _sigterm_when_parent_ends("the `serve --workers` process that started this worker")
        if str(os.getppid()) != supervisor:
            raise SystemExit("esspass: the `serve --workers` process that started this worker has ended")
    configure_logging()
    module, _, name = os.environ[_FACTORY_ENV].partition(":")
    return getattr(importlib.import_module(module), name)()


def add_serve_parser(sub: Any, *, port: int, factory: Callable[[argparse.Namespace], Any], what: str,
                     app_factory: str | None = None, env_prefix: str | None = None,
                     preflight: Callable[[], object] | None = None,
                     without_database: Callable[[], str | None] | None = None) -> None:
    """Add ``serve [--host --port --tls-cert --tls-key]`` whose ``factory(args)`` builds the ASGI app.

    ``preflight`` loads and checks the service's keys and certificates before uvicorn starts, so
    that a mistake in them is one plain error line (the setting and the rule), not a traceback
    from every worker. The service's database (:data:`esspass.migrate.SERVICES`, found by
    ``env_prefix``) is then migrated, once, before any worker starts: a database of a newer
    release is refused in one line too, as is a database that does not answer, unless
    ``without_database`` says what the service can serve meanwhile (the registry: the lists it kept on
    disk); it then starts all the same, says so in one warning line, and opens its database once it
    answers.

    With ``app_factory`` (``"verifier.app:create_app"``) and ``env_prefix`` (``"ESSPASS_VERIFIER_"``)
    it also takes ``--workers N``: N processes, each building the app from the environment. Only for
    services whose state is all in their database, so that any worker may answer any request.
    A worker that cannot start stops them all, with exit code 3 as one process would."""
    p = sub.add_parser("serve", help=f"run the {what} (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port)
    p.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", type=Path, help="private key of --tls-cert")
    if app_factory is not None:
        p.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the database (each has its own /metrics)")

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from esspass.db import DatabaseUnreachable
        from esspass.migrate import beside_running_up, beside_serving, hold_serving, service_of, upgrade_service
        from esspass.web import configure_logging

        refused = tls_pair_error(args.tls_cert, args.tls_key)
        if refused is not None:
            print(refused, file=sys.stderr)
            return 2
        workers = getattr(args, "workers", 1)
        if workers < 1:
            raise SystemExit("--workers must be at least 1")
        os.umask(PRIVATE_UMASK)  # before anything below opens a database or writes a key; workers inherit it
        configure_logging()
        service = service_of(env_prefix) if env_prefix is not None else None
        down: DatabaseUnreachable | None = None  # the database does not answer: nothing is migrated now
        try:
            refused = None if service is None else (beside_running_up([service], "esspass serve", _started_by)
                                                    or beside_serving([service], "esspass serve"))
        except DatabaseUnreachable as exc:
            if without_database is None:
                raise
            refused, down = None, exc
        if refused is not None:  # a service of a new release started beside the old ones: before it opens anything
            print(refused, file=sys.stderr)
            return 1
        if preflight is not None:
            preflight()
        if env_prefix is not None and down is None:
            try:
                upgrade_service(env_prefix=env_prefix)
            except DatabaseUnreachable as exc:
                if without_database is None:
                    raise
                down = exc
        if down is not None:
            serves = without_database() if without_database is not None else None
            if serves is None:
                raise down
            logging.getLogger("esspass").warning(
                "%s. The %s starts all the same and serves %s meanwhile; it opens its database once it answers",
                down.message, what, serves,
                extra={"service": service.name if service else what, "event": "database_unavailable_at_start"})
        if service is not None:  # from here on, a migration of its tables is refused (beside_serving)
            hold_serving(service)
        kwargs: dict[str, Any] = {}
        if args.tls_cert:
            kwargs = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
        # The operator's first line: what serves where (uvicorn's own start lines are below its level).
        scheme = "https" if args.tls_cert else "http"
        logging.getLogger("esspass").info(
            "the %s starts on %s://%s:%d (%d worker process%s)", what, scheme, args.host, args.port, workers,
            "" if workers == 1 else "es", extra={"service": service.name if service else what, "event": "serving"})
        if workers > 1 and app_factory is not None and env_prefix is not None:
            # Each worker process builds its own app from the environment.
            os.environ[f"{env_prefix}PORT"], os.environ[f"{env_prefix}HOST"] = str(args.port), args.host
            os.environ[_FACTORY_ENV] = app_factory
            os.environ[_SUPERVISOR_ENV] = str(os.getpid())
            return _run_workers(uvicorn.Config(f"{__name__}:worker_app", factory=True, workers=workers,
                                               host=args.host, port=args.port, access_log=False,
                                               log_level="warning", **SERVER_LIMITS, **kwargs))
        uvicorn.run(factory(args), host=args.host, port=args.port, access_log=False, log_level="warning",
                    **SERVER_LIMITS, **kwargs)
        return 0

    p.set_defaults(func=run)


def _run_workers(config: Any) -> int:
    """``uvicorn.run`` for N workers, but with the outcome: uvicorn's supervisor stops when a worker
    exits with uvicorn's startup failure code, and then returns as after Ctrl-C; the exit code
    must tell a service manager that the service did not start."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    # The supervisor's own lines at INFO (a worker that died and was replaced, its start and stop):
    # a worker the out-of-memory killer ended is otherwise replaced without a word in the log. Its
    # workers keep the level the config gives them (each configures its logging afresh).
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    try:
        supervisor.run()
    except KeyboardInterrupt:
        pass
    failed = any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


if __name__ == "__main__":  # how `esspass up` starts each service: `esspass <args>`, ending with its parent
    # Through the imported module, not this __main__ copy: serve's run() reads its _started_by.
    from esspass import serve as _imported

    _imported.die_with_parent()
    from esspass.cli import main

    sys.exit(main(sys.argv[1:]))

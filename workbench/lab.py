"""`workbench lab [CLIENT]`: JupyterLab for a workshop, safe by default, on the engagement notebook.

Bound to 127.0.0.1 with a fresh random token (passed in the environment, not on the command line other users
can read), ``--allow-root`` when run as root (Jupyter refuses root otherwise), the notebook opened on CLIENT:
the server's environment carries ``WORKBENCH_CLIENT``/``WORKBENCH_CLIENTS_ROOT``, which the notebook's
parameter cell reads (papermill parameters still win).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from workbench.core.i18n import t

__all__ = ["LabError", "start_lab", "lab_command_line", "resolve_client"]

NOTEBOOK = "engagement.ipynb"


class LabError(Exception):
    """The lab cannot start (unknown client, no JupyterLab): one line for the user, exit 2."""


def resolve_client(client: str | None, root: Path, lang: str) -> Path | None:
    """The client folder CLIENT names: a folder holding client.yaml, or ``root/CLIENT``; None when not given."""
    if not client:
        if root.is_dir():
            first = sorted(p for p in root.iterdir() if p.is_dir() and (p / "client.yaml").is_file())
            return first[0].resolve() if first else None
        return None
    for cand in (Path(client), root / client):
        if cand.is_dir() and (cand / "client.yaml").is_file():
            return cand.resolve()
    raise LabError(t("cli.lab.unknown_client", lang, client=client, root=root))


def _notebook(project: Path) -> tuple[Path, bool]:
    """The engagement notebook inside the served folder: the project's own, else a copy of the packaged one."""
    own = project / "notebooks" / NOTEBOOK
    if own.is_file():
        return own, False
    copy = project / NOTEBOOK
    if copy.is_file():
        return copy, False
    from workbench.core.resources import notebooks_dir

    shutil.copyfile(notebooks_dir() / NOTEBOOK, copy)
    return copy, True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lab_command_line(project: Path, port: int) -> list[str]:
    """The JupyterLab command: loopback only, no browser, no port hopping, root allowed when we are root."""
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={project}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def start_lab(out: Any, client: str | None, root: Path, *, port: int | None = None, open_browser: bool = False,
              timeout: float = 120.0) -> int:
    """Run JupyterLab until it stops (Ctrl-C or SIGTERM); print the URL on stdout once it answers. Returns the exit
    code. Both signals stop the server started here and its kernels, even when this process was started with SIGINT
    ignored (a background job of a shell, some test runners' workers): the handlers are set here, not inherited."""
    import threading

    if threading.current_thread() is not threading.main_thread():  # signal handlers belong to the main thread
        return _start_lab(out, client, root, port=port, open_browser=open_browser, timeout=timeout)
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _start_lab(out, client, root, port=port, open_browser=open_browser, timeout=timeout)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _start_lab(out: Any, client: str | None, root: Path, *, port: int | None, open_browser: bool,
               timeout: float) -> int:
    import importlib.util

    lang = out.lang
    if importlib.util.find_spec("jupyterlab") is None:
        raise LabError(t("cli.lab.no_jupyter", lang))
    root = root.resolve()
    folder = resolve_client(client, root, lang)
    project = root.parent
    nb, copied = _notebook(project)
    if copied:
        out.note(t("cli.lab.copied", lang, path=nb))
    port = port or _free_port()
    token = secrets.token_hex(24)
    env = {**os.environ, "JUPYTER_TOKEN": token, "WORKBENCH_CLIENTS_ROOT": str(root)}
    if folder is not None:
        env["WORKBENCH_CLIENT"] = str(folder)
    log_path = Path(tempfile.gettempdir()) / f"workbench-lab-{port}.log"
    out.note(t("cli.lab.starting", lang))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(lab_command_line(project, port), cwd=project, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            if not _wait(f"{base}/api/status?token={token}", proc, timeout):
                code = proc.poll()
                _stop(proc)
                out.error(t("cli.lab.failed", lang, code=code if code is not None else "-", log=log_path))
                return 2
            rel = urllib.parse.quote(nb.relative_to(project).as_posix())
            url = f"{base}/lab/tree/{rel}?token={token}"
            out.note(t("cli.lab.open", lang))
            out.result(url)
            sys.stdout.flush()
            out.note(t("cli.lab.stop", lang))
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            return 0 if proc.wait() in (0, -signal.SIGTERM, -signal.SIGINT) else 1
        except KeyboardInterrupt:
            _stop(proc)
            return 0
        finally:
            if proc.poll() is None:
                _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group: the kernels go with it)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError, PermissionError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=5)

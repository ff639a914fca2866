"""``python -m workbench``: the same command as ``workbench``."""
from workbench.cli import app

if __name__ == "__main__":  # pragma: no cover
    app(prog_name="workbench")

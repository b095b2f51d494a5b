"""`threatlib report` on a terminal, where its progress bar is drawn: it writes the reports and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_report_on_a_terminal_draws_its_progress_and_writes(tmp_path) -> None:
    controller, terminal = os.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "threatlib.cli", "report", "tests/models/small.yaml", "--no-pdf",
                                  "-o", str(tmp_path)], cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal,
                                 env={**os.environ, "TERM": "xterm", "COLUMNS": "200"}, timeout=120)
        os.close(terminal)
        screen = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(controller)
    text = screen.decode("utf-8", "replace")
    assert process.returncode == 0, text
    assert f"tests/models/small.yaml: wrote {tmp_path / 'small-app'}" in text
    assert "report small.yaml" in text and "1/1" in text  # the progress bar, redrawn once the model was written
    assert "Error" not in text and "Traceback" not in text

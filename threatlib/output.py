"""Write a model's outputs all at once: into a temporary folder first, then swapped into place.

A failure part-way leaves the previous reports untouched, never a half-written set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_outputs(files: dict[str, bytes], out_dir: Path, name: str) -> Path:
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"unsafe output folder name {name!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out_dir))
    try:
        for file_name, content in sorted(files.items()):
            if Path(file_name).name != file_name:
                raise ValueError(f"unsafe output file name {file_name!r}")
            (staging / file_name).write_bytes(content)
        os.chmod(staging, 0o755)
        retired = None
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{name}.old.", dir=out_dir))
            os.rename(target, retired / name)
        os.rename(staging, target)
        if retired:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target

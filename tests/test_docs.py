"""The documentation builds with warnings treated as errors (mkdocs --strict, API from
docstrings)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strictly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"),
         "--config-file", str(ROOT / "mkdocs.yml")],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    api_page = (tmp_path / "site" / "api" / "pipeline" / "index.html").read_text()
    assert "inpaint" in api_page and "Examples" in api_page

"""`make run` installs only what serving needs; tests and benchmarks bring their own tools."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _packages(name: str) -> set[str]:
    lines = (ROOT / "scripts" / name).read_text(encoding="utf-8").splitlines()
    return {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}


def _prerequisites(target: str) -> list[str]:
    return re.search(rf"^{target}:(.*)$", MAKEFILE, re.M).group(1).split()


def test_serving_needs_fonts_and_cairo_only():
    run = _packages("system-packages.txt")
    assert {"libcairo2", "fonts-noto-core", "fonts-noto-cjk"} <= run
    assert not run & {"chromium", "wrk", "poppler-utils"}
    assert {"chromium", "wrk", "poppler-utils"} <= _packages("system-packages-test.txt")


def test_make_targets_install_their_own_lists():
    assert "system-deps" in _prerequisites("run") and "system-deps-test" not in _prerequisites("run")
    assert "system-deps-test" in _prerequisites("test") and "system-deps-test" in _prerequisites("bench")
    test_recipe = re.search(r"^system-deps-test:\n\t(.*)$", MAKEFILE, re.M).group(1)
    assert "system-packages-test.txt" in test_recipe


def test_run_listens_on_host_and_prints_urls():
    assert re.search(r"^HOST \?= 127\.0\.0\.1$", MAKEFILE, re.M)
    serve = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
    assert '--host "$HOST"' in serve and "flask heritage demo-urls" in serve


def test_make_run_installs_espeak_and_queues_the_demo_narration():
    # Both `make run` and `make test` install system-packages.txt: the narration tests never skip in CI.
    assert "espeak-ng" in _packages("system-packages.txt")
    assert "system-packages.txt" in re.search(r"^system-deps-test:\n\t(.*)$", MAKEFILE, re.M).group(1)
    demo = re.search(r"^demo:.*\n((?:\t.*\n)+)", MAKEFILE, re.M).group(1)
    assert "flask heritage media demo-narration" in demo and "--now" not in demo

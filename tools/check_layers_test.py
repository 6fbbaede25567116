#!/usr/bin/env python3
"""Tests of the layer check itself: it passes on the source tree as it is, and fails, naming
the file and the line, on a copy with one wrong include planted.

Usage: check_layers_test.py TEST_NAME   (run by ctest as check.LayerCheck.TEST_NAME)
"""

import pathlib
import shutil
import subprocess
import sys
import tempfile

TOOLS = pathlib.Path(__file__).resolve().parent
SRC = TOOLS.parent / "src"
CHECK = TOOLS / "check_layers.py"


def run_check(src: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(src)], capture_output=True, text=True)


def with_plant(path: str, line: str, expect: str) -> None:
    """Copies src/, adds `line` to the top of `path` in the copy, and expects the check to fail
    with a line that contains `path` and `expect`."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "src"
        shutil.copytree(SRC, copy)
        planted = copy / path
        planted.write_text(line + "\n" + planted.read_text(encoding="utf-8"), encoding="utf-8")
        result = run_check(copy)
        print(result.stdout, end="")
        assert result.returncode == 1, f"expected exit 1, got {result.returncode}"
        hits = [l for l in result.stdout.splitlines() if l.startswith(f"src/{path}:1:") and expect in l]
        assert hits, f"no breach reported for src/{path}:1 mentioning {expect!r}"


def SourceTreeFollowsTheLayerOrder() -> None:
    result = run_check(SRC)
    print(result.stdout, end="")
    assert result.returncode == 0, f"the layer check fails on src/ (exit {result.returncode})"


def FailsOnAnIncludeOfAHigherLayer() -> None:
    with_plant("protocol/codec.cpp", '#include "core/hub.hpp"', "protocol/ includes core/")


def FailsOnAsioOutsideTheTransports() -> None:
    with_plant("core/hub.cpp", "#include <boost/asio/post.hpp>", "core/ includes Boost.Asio")


def FailsOnBeastInTheTerminalClientsCommands() -> None:
    with_plant("client/send_command.cpp", "#include <boost/beast/websocket.hpp>", "client/ includes Boost.Beast")


def FailsOnAFolderItDoesNotKnow() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "src"
        shutil.copytree(SRC, copy)
        (copy / "plugins").mkdir()
        (copy / "plugins" / "index.cpp").write_text('#include "app/server.hpp"\n', encoding="utf-8")
        result = run_check(copy)
        print(result.stdout, end="")
        assert result.returncode == 2, f"expected exit 2, got {result.returncode}"


if __name__ == "__main__":
    globals()[sys.argv[1]]()

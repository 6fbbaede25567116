#!/usr/bin/env python3
"""The layer check (docs/architecture.md, "Layers").

Fails when a file of src/ includes a header of a layer it may not use, or when a file outside
the transport layers includes Boost.Asio or Boost.Beast. CMake links each folder's library only
to the layers below it, but Boost and the other system headers sit in /usr/include, where no
include path can hide them: so the include lines themselves are read here.

Usage: check_layers.py [SOURCE_DIR]   (SOURCE_DIR defaults to the repository's src/)
Exit status: 0 when every include follows the rules, 1 with one line per breach otherwise,
2 when src/ holds a folder the table below does not know.
"""

import pathlib
import re
import sys

# Each folder of src/ and the folders it may include, lowest layer first. The same order as
# the libraries' target_link_libraries in src/*/CMakeLists.txt.
MAY_INCLUDE = {
    "common": set(),
    "protocol": {"common"},
    "core": {"common", "protocol"},
    "redis": {"common", "protocol", "core"},
    "store": {"common", "protocol", "core", "redis"},
    "search": {"common", "protocol", "core"},
    "files": {"common"},
    "transport": {"common", "protocol", "core", "files"},
    "client_transport": {"common", "protocol"},
    "client": {"common", "protocol", "client_transport"},
    "app": {"common", "protocol", "core", "redis", "store", "search", "files", "transport", "client_transport",
            "client"},
}

# The only folders that include Asio or Beast: the server's transport, Redis's connection
# (hiredis driven by an Asio descriptor), and the terminal client's transport. Every other
# folder names Asio types, where it must, through its transport's net.hpp.
MAY_INCLUDE_ASIO = {"transport", "redis", "client_transport"}

PROJECT_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"/]+)/[^"]+"')
ASIO_INCLUDE = re.compile(r"^\s*#\s*include\s*<boost/(asio|beast)[/.>]")


def check(src: pathlib.Path) -> tuple[list[str], list[str]]:
    """Returns (breaches, unknown folders) for the tree under `src`."""
    breaches: list[str] = []
    unknown: list[str] = []
    for folder in sorted(p for p in src.iterdir() if p.is_dir()):
        layer = folder.name
        if layer not in MAY_INCLUDE:
            unknown.append(layer)
            continue
        allowed = MAY_INCLUDE[layer] | {layer}
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".hpp", ".cpp", ".h"}:
                continue
            where = path.relative_to(src.parent)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                project = PROJECT_INCLUDE.match(line)
                if project and project.group(1) in MAY_INCLUDE and project.group(1) not in allowed:
                    may = ", ".join(sorted(MAY_INCLUDE[layer])) or "nothing of ours"
                    breaches.append(f"{where}:{number}: {layer}/ includes {project.group(1)}/ "
                                    f"({line.strip()}); {layer}/ may include: {may}")
                if ASIO_INCLUDE.match(line) and layer not in MAY_INCLUDE_ASIO:
                    breaches.append(f"{where}:{number}: {layer}/ includes Boost.{project_name(line)} "
                                    f"({line.strip()}); only {', '.join(f + '/' for f in sorted(MAY_INCLUDE_ASIO))} may")
    return breaches, unknown


def project_name(line: str) -> str:
    return "Beast" if "boost/beast" in line else "Asio"


def main() -> int:
    default = pathlib.Path(__file__).resolve().parent.parent / "src"
    src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    breaches, unknown = check(src)
    for folder in unknown:
        print(f"{src}/{folder}/: a folder the layer table does not know; add it to MAY_INCLUDE "
              f"in {pathlib.Path(__file__).name} and to docs/architecture.md")
    for breach in breaches:
        print(breach)
    if unknown:
        return 2
    if breaches:
        print(f"{len(breaches)} include(s) break the layer order (docs/architecture.md, \"Layers\")")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

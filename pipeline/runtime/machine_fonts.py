"""The fonts this machine has, and which characters each can draw.

Lettering looks here when the faces a writer set cannot draw a story's characters, so
nobody has to hunt for a Chinese or an Arabic font. Two places, searched in this order:
fonts inside installed Python packages (`pip install 'panelwright[cjk]'` brings Noto Sans
CJK) and the machine's own fonts (`fc-list` when present, else the usual font folders of
Linux, macOS and Windows).

Reading a font's character map takes time, and a desktop may have thousands of fonts, so
what each file covers is kept in an index in the user's cache, keyed on the file's path,
size and modification time: a build stats the files and opens only a font it has not
seen. The order of the candidates is fixed (packages first, then regular upright sans
faces of normal width, then by name and path), so the same machine and story always pick
the same fonts.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cache import write_atomic

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
INDEX_VERSION = 1
PACKAGE, MACHINE = 1, 2  # the tiers, in the order they are searched


def covered(ranges: list, starts: list[int], char: str) -> bool:
    """Whether `char` lies in the sorted code point `ranges` ([first, last] pairs, whose
    firsts are `starts`)."""
    code = ord(char)
    at = bisect.bisect_right(starts, code) - 1
    return at >= 0 and ranges[at][0] <= code <= ranges[at][1]


@dataclass(eq=False)
class FoundFace:
    """One face of a font file, with the characters it can draw (as code point ranges)."""

    path: str
    index: int  # the face inside a collection (.ttc); 0 for a plain font
    family: str
    style: str
    weight: int
    width: int
    italic: bool
    digest: str  # of the file's bytes and the face index: what the face is, wherever it lies
    ranges: list  # sorted [first, last] code point pairs, as the index stores them
    tier: int = MACHINE
    package: str | None = None  # the Python distribution it came with
    licence: str | None = None  # that distribution's licence file, when it has one

    def __post_init__(self) -> None:
        self.starts = [a for a, _ in self.ranges]

    def covers(self, char: str) -> bool:
        return covered(self.ranges, self.starts, char)

    def rank(self) -> tuple:
        """The order fonts are tried in: packages first; a regular upright face of normal
        width before its bold, italic or condensed kin; sans before serif, mono and the
        rest; then by name, so the choice never depends on the order files were listed."""
        name = self.family.lower()
        sans = 0 if "sans" in name and "mono" not in name else \
            1 if not any(w in name for w in ("serif", "mono", "math", "emoji")) else 2
        return (self.tier, self.italic, abs(self.weight - 400) // 100, self.width != 5, sans,
                self.family, self.style, self.path, self.index)


def _ranges(codes: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for code in sorted(codes):
        if out and code == out[-1][1] + 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return out


def read_faces(path: str | Path, data: bytes | None = None) -> list[dict]:
    """Every face of a font file as the index stores it; [] for a file that is no font."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    raw = data if data is not None else Path(path).read_bytes()
    try:
        fonts = list(TTCollection(io.BytesIO(raw)).fonts) if raw[:4] == b"ttcf" else \
            [TTFont(io.BytesIO(raw), lazy=True)]
    except (TTLibError, OSError, ValueError, AssertionError, KeyError, IndexError):
        return []
    faces = []
    for index, font in enumerate(fonts):
        try:
            cmap = font.getBestCmap() or {}
            names = font["name"]
            family = str(names.getDebugName(16) or names.getDebugName(1) or Path(path).stem)
            style = str(names.getDebugName(17) or names.getDebugName(2) or "Regular")
            os2 = font["OS/2"] if "OS/2" in font else None
            italic = bool(os2.fsSelection & 1) if os2 else "italic" in style.lower()
            faces.append(dict(
                index=index, family=family, style=style,
                weight=int(os2.usWeightClass) if os2 else 400,
                width=int(os2.usWidthClass) if os2 else 5, italic=italic,
                digest=hashlib.sha256(raw + str(index).encode()).hexdigest(),
                ranges=_ranges(list(cmap))))
        except Exception:  # a damaged table: this face is not a candidate
            continue
    return faces


def user_cache_dir() -> Path:
    """Where the font index lives: the user's cache folder, shared by every project."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "panelwright"


def font_folders() -> list[Path]:
    """The standard font folders of Linux, macOS and Windows, for a machine without fc-list."""
    home = Path.home()
    folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts",
               home / ".local" / "share" / "fonts", Path("/Library/Fonts"),
               Path("/System/Library/Fonts"), home / "Library" / "Fonts"]
    for variable in ("WINDIR", "SystemRoot"):
        if os.environ.get(variable):
            folders.append(Path(os.environ[variable]) / "Fonts")
    if os.environ.get("LOCALAPPDATA"):
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return folders


def machine_font_files() -> list[str]:
    """The machine's font files: as fontconfig lists them, else found in the font folders."""
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                                    text=True, timeout=30, check=True).stdout.splitlines()
            return sorted({f for f in listed if f.lower().endswith(FONT_SUFFIXES)})
        except (OSError, subprocess.SubprocessError):
            pass
    found = set()
    for folder in font_folders():
        if folder.is_dir():
            for dirpath, _, names in os.walk(folder):
                found.update(os.path.join(dirpath, n) for n in names
                             if n.lower().endswith(FONT_SUFFIXES))
    return sorted(found)


_LICENCE = re.compile(r"(^|/)(licen[cs]e|copying|ofl|copyright)[^/]*$", re.IGNORECASE)


def package_font_files() -> list[tuple[str, str, str | None]]:
    """(font file, distribution, its licence file) for fonts inside installed Python
    packages. Only distributions whose name says font are read (`fonttools` is a library,
    not fonts), and only their RECORD: parsing every package's metadata costs half a second."""
    out = []
    seen = set()
    for folder in sys.path:
        try:
            entries = sorted(os.scandir(folder or "."), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name.rsplit(".", 1)[0].rsplit("-", 1)[0]
            if not entry.name.endswith(".dist-info") or name.lower() in seen or \
                    name.lower() == "fonttools" or \
                    not re.search(r"font|ttf|otf|noto", name, re.IGNORECASE):
                continue
            seen.add(name.lower())
            try:
                record = (Path(entry.path) / "RECORD").read_text(errors="replace")
            except OSError:
                continue
            files = [line.split(",")[0] for line in record.splitlines()]
            files = [f for f in files if f and not f.startswith("..")]
            licence = next((os.path.join(folder, f) for f in files if _LICENCE.search(f)), None)
            for file in files:
                if file.lower().endswith(FONT_SUFFIXES):
                    path = os.path.join(folder, file)
                    if os.path.isfile(path):
                        out.append((path, name.replace("_", "-"), licence))
    return sorted(out)


class FontIndex:
    """The index of what each font file covers, read from and written to `path`."""

    def __init__(self, path: Path | None = None):
        self.path = path or user_cache_dir() / f"fonts-v{INDEX_VERSION}.json"
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def faces(self, path: str) -> list[dict]:
        try:
            st = os.stat(path)
        except OSError:
            return []
        entry = self.entries.get(path)
        if entry and entry.get("size") == st.st_size and entry.get("mtime") == st.st_mtime_ns:
            return entry["faces"]
        try:
            faces = read_faces(path)
        except OSError:
            faces = []
        self.entries[path] = dict(size=st.st_size, mtime=st.st_mtime_ns, faces=faces)
        self.changed = True
        return faces

    def save(self) -> None:
        if not self.changed:
            return
        try:  # a read-only home only costs the next build the scan again
            write_atomic(self.path, json.dumps(self.entries, sort_keys=True).encode())
            self.changed = False
        except OSError:
            pass


@lru_cache(maxsize=4)
def candidates(index_path: str | None = None) -> tuple[FoundFace, ...]:
    """Every face of every font in installed packages and on the machine, in the order
    they are tried (`FoundFace.rank`). Computed once per process."""
    index = FontIndex(Path(index_path) if index_path else None)
    found: list[FoundFace] = []
    for path, package, licence in package_font_files():
        found += [_face(f, path, PACKAGE, package, licence) for f in index.faces(path)]
    for path in machine_font_files():
        found += [_face(f, path, MACHINE) for f in index.faces(path)]
    index.save()
    unique = {}
    for face in sorted(found, key=FoundFace.rank):
        unique.setdefault(face.digest, face)  # one file listed twice is tried once
    return tuple(unique.values())


def _face(entry: dict, path: str, tier: int, package: str | None = None,
          licence: str | None = None) -> FoundFace:
    return FoundFace(path=path, index=entry["index"], family=entry["family"],
                     style=entry["style"], weight=entry["weight"], width=entry["width"],
                     italic=entry["italic"], digest=entry["digest"],
                     ranges=entry["ranges"], tier=tier,
                     package=package, licence=licence)

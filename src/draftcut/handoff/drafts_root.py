"""Where Jianying or CapCut keeps its drafts on this machine (the "drafts root", draft-format.md §1.1).

Paths come from `LOCALAPPDATA` / `HOME` in the environment passed in, not from
the process, so tests (and users with odd setups) can point at another home.
The OS is a parameter for the same reason: `--os macos` on a Linux test machine
exercises the macOS layout.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from draftcut.handoff.localize import HandoffError

__all__ = ["APPS", "OSES", "Candidate", "candidates", "find_drafts_root", "host_os", "looks_used"]

APPS = ("jianying", "capcut")
OSES = ("windows", "macos", "linux")
_LABEL = {"jianying": "Jianying (剪映)", "capcut": "CapCut"}
_TAIL = ("User Data", "Projects", "com.lveditor.draft")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place an app keeps drafts by default."""

    app: str
    path: Path

    def describe(self) -> str:
        return f"{_LABEL[self.app]}: {self.path}"


def host_os(platform: str = sys.platform) -> str:
    """`windows`, `macos` or `linux` (anything else is treated as Linux: no app runs there)."""
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or env.get("USERPROFILE")
    return Path(home) if home else Path.home()


def candidates(os_name: str, env: Mapping[str, str]) -> list[Candidate]:
    """Every default drafts root for `os_name`, whether it exists or not."""
    if os_name == "windows":
        local = env.get("LOCALAPPDATA")
        base = Path(local) if local else _home(env) / "AppData" / "Local"
        return [Candidate("jianying", base.joinpath("JianyingPro", *_TAIL)),
                Candidate("capcut", base.joinpath("CapCut", *_TAIL))]
    if os_name == "macos":
        home = _home(env)
        containers = home / "Library" / "Containers"
        return [
            Candidate("jianying", home.joinpath("Movies", "JianyingPro", *_TAIL)),
            # The Mac App Store build is sandboxed: its ~/Movies is inside its container.
            Candidate("jianying", containers.joinpath("com.lemon.lvpro", "Data", "Movies", "JianyingPro", *_TAIL)),
            Candidate("capcut", home.joinpath("Movies", "CapCut", *_TAIL)),
            Candidate("capcut", containers.joinpath("com.lemon.lvoverseas", "Data", "Movies", "CapCut", *_TAIL)),
        ]
    return []


def looks_used(path: Path) -> bool:
    """The app has written here: capcut-mate's client takes these two markers as proof of a drafts root."""
    return (path / "root_meta_info.json").is_file() or (path / ".recycle_bin").is_dir()


def find_drafts_root(os_name: str, env: Mapping[str, str], app: str | None = None) -> Candidate:
    """The one drafts root that exists for `app` (or for either app), or a HandoffError that says what to pass.

    Two apps installed is a question only the user can answer (the draft opens in
    the app whose folder it lands in). Two folders of one app (a macOS install
    that was once sandboxed, once not) are told apart by which one the app uses.
    """
    if os_name == "linux":
        raise HandoffError("Jianying and CapCut do not run on Linux: pass --to DRAFTS_ROOT to choose a folder")
    every = candidates(os_name, env)
    wanted = [c for c in every if app is None or c.app == app]
    found = [c for c in wanted if c.path.is_dir()]
    if not found:
        looked = "; ".join(str(c.path) for c in wanted)
        which = _LABEL[app] if app else "Jianying or CapCut"
        raise HandoffError(f"no {which} drafts folder found (looked in: {looked}); "
                           "open the app once, or pass --to DRAFTS_ROOT")
    if len({c.app for c in found}) > 1:
        listed = "; ".join(c.describe() for c in found)
        raise HandoffError(f"both apps have a drafts folder ({listed}): pass --app jianying|capcut or --to DRAFTS_ROOT")
    if len(found) > 1:
        used = [c for c in found if looks_used(c.path)]
        if len(used) == 1:
            return used[0]
        listed = "; ".join(str(c.path) for c in found)
        raise HandoffError(f"several {_LABEL[found[0].app]} drafts folders exist ({listed}): pass --to DRAFTS_ROOT")
    return found[0]

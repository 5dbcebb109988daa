"""Dockerfile, compose.yaml and .dockerignore, checked without a Docker engine (none runs on our machines).

What can be checked is: the compose file parses and declares the services of issue 15, only `api` starts by
default, the draftcut services run the README's command with settings that exist and are documented, the
Dockerfile installs the package the way scripts/serve does and runs it the way the README says, both health
checks pass against a real `draftcut serve` started with the image's environment, and the build context
keeps what the install needs. Settings names come from `draftcut.config.Settings`, never from a list here.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from utils.server_fixtures import Server, free_port

from draftcut.cli import _parser
from draftcut.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROFILE = "scale-out"
ISSUE_15_SERVICES = {"api", "worker", "redis", "postgres", "s3"}


# --- what the project says elsewhere -----------------------------------------------------------------------


def settings_env_names() -> set[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def readme_env_names() -> set[str]:
    return set(re.findall(r"\bDRAFTCUT_[A-Z0-9_]+\b", README))


def serve_command() -> list[str]:
    """`draftcut serve`, as scripts/serve runs it and as the README names it."""
    line = next(ln for ln in (ROOT / "scripts/serve").read_text().splitlines() if ln.startswith("exec "))
    argv = [a for a in shlex.split(line)[1:] if a != "$@"]
    command = [Path(argv[0]).name, *argv[1:]]
    documented = re.search(r"`scripts/serve` passes its arguments to `([^`]+)`", README)
    assert documented, "README no longer says which command scripts/serve runs"
    assert command == documented.group(1).split()
    return command


def cli_subcommands() -> set[str]:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    return set(sub.choices or ())


def pip_install_targets(argv: list[str]) -> list[tuple[str, bool]]:
    """(target, editable) of each `pip install` in a command line; shell operators split commands."""
    targets: list[tuple[str, bool]] = []
    commands: list[list[str]] = [[]]
    for token in argv:
        if token in ("&&", "||", ";", "|"):
            commands.append([])
        else:
            commands[-1].append(token)
    for cmd in commands:
        if "pip" not in [Path(c).name for c in cmd] or "install" not in cmd:
            continue
        args = cmd[cmd.index("install") + 1:]
        i = 0
        while i < len(args):
            arg = args[i]
            if arg in ("-e", "--editable"):
                targets.append((args[i + 1], True))
                i += 2
                continue
            if not arg.startswith("-"):
                targets.append((arg, False))
            i += 1
    return targets


def script_install_target() -> tuple[str, bool]:
    """The install scripts/serve makes: the extras it passes to _venv.sh, put into _venv.sh's pip line."""
    serve = shlex.split(next(ln for ln in (ROOT / "scripts/serve").read_text().splitlines()
                             if "_venv.sh" in ln and not ln.startswith("#")))
    extras = serve[next(i for i, a in enumerate(serve) if a.endswith("_venv.sh")) + 1]
    venv = (ROOT / "scripts/_venv.sh").read_text()
    assert re.search(r"^extras=\$\{1:-\}$", venv, re.M), "_venv.sh no longer takes the extras as $1"
    line = next(ln for ln in venv.splitlines() if "pip install" in ln and "--upgrade pip" not in ln)
    [(target, editable)] = [t for t in pip_install_targets(shlex.split(line)) if t[0] != "pip"]

    def expand(m: re.Match[str]) -> str:  # ${extras:+[$extras]}
        return m.group(2).replace(f"${m.group(1)}", extras) if extras else ""

    return re.sub(r"\$\{(\w+):\+([^}]*)\}", expand, target), editable


# --- Dockerfile ----------------------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments dropped, `\\` continuations joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return out


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile()
    last_from = max(i for i, (k, _) in enumerate(instructions) if k == "FROM")
    return instructions[last_from:]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def dockerfile_env(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in stage:
        if keyword == "ENV":
            tokens = shlex.split(args)
            if "=" not in tokens[0]:  # legacy `ENV NAME value`
                env[tokens[0]] = " ".join(tokens[1:])
            else:
                env.update(t.split("=", 1) for t in tokens)  # type: ignore[misc]
    return env


def healthcheck_argv(args: str) -> list[str]:
    options, _, command = args.partition("CMD ")
    assert command, f"HEALTHCHECK without CMD: {args}"
    return exec_form(command.strip())


# --- compose.yaml ---------------------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def interpolate(value: str) -> str:
    """Compose's `${NAME:-default}` / `${NAME-default}` / `${NAME}` with nothing set: what a plain `up` uses."""
    result = re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)
    assert "$" not in result.replace("$$", ""), f"unsupported interpolation in {value!r}"
    return result


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: interpolate(str(v).lower() if isinstance(v, bool) else str(v)) for k, v in env.items()}


def draftcut_services(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services built from this repository's Dockerfile."""
    out = {}
    for name, svc in doc["services"].items():
        build = svc.get("build")
        if build is None:
            continue
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile_name = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert (ROOT / context).resolve() == ROOT and dockerfile_name == "Dockerfile", name
        out[name] = svc
    return out


# --- .dockerignore --------------------------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def dockerignored(path: str) -> bool:
    """Docker's rule: patterns are relative to the context root, the last match wins, `!` re-includes,
    and a path is excluded when it or a folder above it matches."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        rules.append((negate, _pattern_regex(line.lstrip("!").strip("/"))))
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for negate, regex in rules:
        if any(regex.match(p) for p in prefixes):
            ignored = not negate
    return ignored


# --- tests ----------------------------------------------------------------------------------------------------


def test_compose_declares_the_services_and_starts_only_api_by_default() -> None:
    doc = compose()
    services = doc["services"]
    assert ISSUE_15_SERVICES <= set(services)
    default = {name for name, svc in services.items() if not svc.get("profiles")}
    assert default == {"api"}, "only the embedded default works until issue 12 lands"
    for name in set(services) - default:
        assert PROFILE in services[name]["profiles"], name
    # A default service may not need a profile service (compose would refuse or start it).
    depends = services["api"].get("depends_on") or {}
    assert set(depends) <= default

    for name, svc in services.items():
        test = svc.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):
                assert source in (doc.get("volumes") or {}), f"{name}: volume {source} is not declared"


def test_compose_draftcut_services_run_the_readme_command() -> None:
    doc = compose()
    services = draftcut_services(doc)
    assert {"api", "worker"} <= set(services)
    assert services["api"]["command"] == serve_command()
    subcommands = cli_subcommands()
    for name, svc in services.items():
        command = svc.get("command") or exec_form(next(a for k, a in final_stage() if k == "CMD"))
        assert command[0] == "draftcut" and command[1] in subcommands, f"{name}: {command}"
    # api is reached on Settings' default port, and its data is a named volume at the data dir.
    port = Settings.model_fields["port"].default
    published = [str(p) for p in services["api"]["ports"]]
    assert f"{port}:{port}" in published


def test_compose_settings_exist_and_are_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    valid = settings_env_names()
    documented = readme_env_names()
    volume = next(a for k, a in final_stage() if k == "VOLUME")
    for name, svc in draftcut_services(compose()).items():
        env = environment(svc)
        draftcut_env = {k: v for k, v in env.items() if k.startswith("DRAFTCUT_")}
        assert draftcut_env == env, f"{name}: only DRAFTCUT_* settings belong here: {set(env) - set(draftcut_env)}"
        assert set(env) <= valid, f"{name}: not Settings fields: {set(env) - valid}"
        assert set(env) <= documented, f"{name}: not in the README: {set(env) - documented}"
        # The values a plain `docker compose up` passes are valid settings, read the way the server reads them.
        for var in list(os.environ):
            if var.startswith("DRAFTCUT_"):
                monkeypatch.delenv(var)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        settings = Settings()
        assert settings.host == "0.0.0.0", name
        assert str(settings.data_dir) == volume.strip("[]\"' "), name
        mounts = {v.split(":")[1]: v.split(":")[0] for v in svc["volumes"]}
        assert mounts.get(str(settings.data_dir)) in (compose().get("volumes") or {}), f"{name}: data not on a volume"


def test_dockerfile_installs_the_package_as_scripts_serve_does() -> None:
    target, editable = script_install_target()
    assert (target, editable) == (".", True), "scripts/serve installs the checkout, no extras"

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = {"pyproject.toml", pyproject["project"]["readme"],
              *pyproject["tool"]["setuptools"]["packages"]["find"]["where"]}

    stages = dockerfile()
    assert all(args.split()[0].startswith("python:3.11-slim") for k, args in stages if k == "FROM")
    workdir, copied, installs = "/", set(), []
    for keyword, args in stages:
        if keyword == "FROM":
            workdir, copied = "/", set()
        elif keyword == "WORKDIR":
            workdir = args
        elif keyword == "COPY" and not args.startswith("--from"):
            *sources, dest = shlex.split(args)
            if dest in (".", "./", workdir, workdir + "/") or dest.startswith("./"):
                copied |= {s.rstrip("/") for s in sources}
        elif keyword == "RUN":
            for t, ed in pip_install_targets(shlex.split(args)):
                if t.startswith((".", "/")):
                    installs.append((t, ed, set(copied)))
    # One install of a local path: the build context's root (where pyproject.toml is), with no extra but
    # `scale` (the same image runs `draftcut worker` and talks to PostgreSQL and S3 in the scale-out profile).
    [(docker_target, docker_editable, docker_copied)] = installs
    assert docker_target in (target, f"{target}[scale]"), docker_target
    assert not docker_editable, "the image keeps the installed package, not an editable source tree"
    assert needed <= docker_copied, f"the install needs {needed - docker_copied} copied first"
    assert not any(k == "RUN" and re.search(r"\[(test|bench)\]", a) for k, a in stages)


def test_dockerfile_runs_the_readme_command_as_a_user() -> None:
    stage = final_stage()
    keywords = [k for k, _ in stage]
    user = [a for k, a in stage if k == "USER"]
    assert user, "the image must not run as root"
    name = user[-1].split(":")[0]
    assert name not in ("root", "0")
    assert keywords.index("USER") < keywords.index("CMD")
    assert any(k == "RUN" and re.search(rf"useradd\b.*\b{re.escape(name)}$", a.split("&&")[0].strip())
               for k, a in stage), f"user {name} is not created"

    cmd = exec_form(next(a for k, a in stage if k == "CMD"))
    assert cmd == serve_command()
    assert [a for k, a in stage if k == "EXPOSE"] == [str(Settings.model_fields["port"].default)]

    env = dockerfile_env(stage)
    drafts = {k: v for k, v in env.items() if k.startswith("DRAFTCUT_")}
    assert set(drafts) <= settings_env_names() & readme_env_names()
    assert drafts["DRAFTCUT_HOST"] == "0.0.0.0"
    volume = [a.strip("[]\"' ") for k, a in stage if k == "VOLUME"]
    assert volume == [drafts["DRAFTCUT_DATA_DIR"]] == ["/data"]
    Settings(**{k.removeprefix("DRAFTCUT_").lower(): v for k, v in drafts.items()})

    [health] = [a for k, a in stage if k == "HEALTHCHECK"]
    argv = healthcheck_argv(health)
    assert argv[0] == "python" and "/openapi.json" in argv[-1]


def _run_healthcheck(argv: list[str], port: int) -> int:
    assert argv[0] in ("CMD", "python")
    argv = argv[1:] if argv[0] == "CMD" else argv
    assert argv[0] == "python"
    env = {"DRAFTCUT_PORT": str(port), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30).returncode


def test_healthchecks_pass_against_a_server_started_as_the_image_starts_it(tmp_path: Path) -> None:
    stage = final_stage()
    image_env = {k: v for k, v in dockerfile_env(stage).items() if k.startswith("DRAFTCUT_")}
    checks = [healthcheck_argv(next(a for k, a in stage if k == "HEALTHCHECK")),
              compose()["services"]["api"]["healthcheck"]["test"]]
    port = free_port()
    # The image's environment (0.0.0.0), with API keys on: the health check's /openapi.json stays public.
    env = {**image_env, "DRAFTCUT_DATA_DIR": str(tmp_path / "data"), "DRAFTCUT_PORT": str(port),
           "DRAFTCUT_API_KEYS": "true"}
    with Server(tmp_path / "data", port=port, env=env):
        for argv in checks:
            assert _run_healthcheck(argv, port) == 0, argv
    for argv in checks:
        assert _run_healthcheck(argv, port) != 0, "a health check must fail when nothing answers"


def test_dockerignore_keeps_the_install_inputs_and_drops_local_state() -> None:
    for path in (".venv", ".venv/bin/python", "data", "data/draftcut.sqlite3", ".git", ".git/HEAD",
                 "bench/out", "bench/out/x.mp4", "src/draftcut.egg-info/PKG-INFO",
                 "src/draftcut/__pycache__/cli.cpython-311.pyc", ".pytest_cache", ".mypy_cache"):
        assert dockerignored(path), path
    kept = ["pyproject.toml", "README.md"] + [
        p.relative_to(ROOT).as_posix() for p in (ROOT / "src/draftcut").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts]
    assert any(k.startswith("src/draftcut/draft/data/") for k in kept)
    assert not [k for k in kept if dockerignored(k)]


def test_package_data_ships_every_data_file() -> None:
    """The image installs the package (not editable, as scripts/serve does): a file outside package-data
    is there in a checkout and missing in the image. Notes (*.md) next to data files need not ship."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["draftcut"]
    package = ROOT / "src/draftcut"
    missing = [p.relative_to(package).as_posix() for p in package.rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc", ".typed", ".md") and "__pycache__" not in p.parts
               and not any(fnmatch.fnmatch(p.relative_to(package).as_posix(), g) for g in globs)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


def test_readme_documents_the_docker_commands() -> None:
    heads = re.findall(r"^## (.+)$", README, re.M)
    assert heads.index("Docker") == heads.index("The two commands") + 1
    section = README.split("## Docker\n", 1)[1].split("\n## ", 1)[0]
    commands = [ln.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)
                for ln in block.splitlines() if ln.strip()]
    assert "docker compose up -d" in commands
    stage = final_stage()
    expose = next(a for k, a in stage if k == "EXPOSE")
    volume = next(a for k, a in stage if k == "VOLUME").strip("[]\"' ")

    [build] = [c for c in commands if c.startswith("docker build")]
    argv = shlex.split(build)
    tag, context = argv[argv.index("-t") + 1], argv[-1]
    assert context == "." and (ROOT / context / "Dockerfile").is_file()
    runs = [shlex.split(c) for c in commands if c.startswith("docker run")]
    assert runs and ["docker", "run", "-p", f"{expose}:{expose}", "-v", f"draftcut-data:{volume}", tag] in runs
    for argv in runs:
        assert argv[-1] == tag
        assert argv[argv.index("-p") + 1].endswith(f":{expose}")
        assert argv[argv.index("-v") + 1].split(":")[1] == volume
        for i, a in enumerate(argv):
            if a == "-e":
                assert argv[i + 1].split("=")[0] in settings_env_names()

    for command in commands:
        assert command.split()[0] in ("docker",) or "=" in command.split()[0], command
        if "compose" in command.split() and "exec" in command.split():
            argv = shlex.split(command)
            service, rest = argv[argv.index("exec") + 1], argv[argv.index("exec") + 2:]
            assert service in compose()["services"] and rest[0] == "draftcut" and rest[1] in cli_subcommands()
        prefix = command.split()[0]
        if "=" in prefix:
            assert prefix.split("=")[0] in settings_env_names(), command
    assert f"docker compose --profile {PROFILE} up -d" in section
    assert "issue 12" in section
    assert set(re.findall(r"\bDRAFTCUT_[A-Z0-9_]+\b", section)) <= settings_env_names()
    assert "DRAFTCUT_PUBLIC_URL" in section
    # The settings the section says compose passes through are the ones `api` takes from the shell.
    raw = compose()["services"]["api"]["environment"]
    passed = {k for k, v in raw.items() if re.fullmatch(rf"\$\{{{k}(:?-[^}}]*)?\}}", str(v))}
    listed = section.split("from the shell or a `.env` file", 1)[1].split(")", 1)[0]
    assert passed == set(re.findall(r"DRAFTCUT_[A-Z0-9_]+", listed))

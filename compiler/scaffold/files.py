"""What `init` writes: the spec files from the templates beside this module, the JSON Schema the
editors validate them with and the pre-commit configuration (ignores.py then keeps them, and
build/, out of .gitignore's reach). Deciding, not writing: `planned` returns paths and bytes,
`run_init` writes them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
SPEC_SCHEMA = HERE.parent / "spec.schema.json"
SPEC_FILES = ("schema/_project.yaml", "schema/tenancy.yaml", "schema/projects.yaml")
PRE_COMMIT = ".pre-commit-config.yaml"
URL_PLACEHOLDER = "https://github.com/OWNER/atlas-compile"   # replaced by hand when no URL is known


@dataclass
class Plan:
    files: dict[str, bytes] = field(default_factory=dict)   # relative path -> bytes, in order
    notes: list[str] = field(default_factory=list)
    pre_commit_snippet: str | None = None                    # printed when .pre-commit-config.yaml exists


def project_name(directory: Path) -> str:
    """The folder's name as a project name (the spec's `name` is free text; keep it plain)."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    return name or "my-project"


def planned(directory: Path, layout: str | None) -> Plan:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), keep_trailing_newline=True,
                      undefined=StrictUndefined, autoescape=False)
    plan = Plan()
    for rel in SPEC_FILES:
        template = env.get_template(Path(rel).name + ".j2")
        plan.files[rel] = template.render(name=project_name(directory), layout=layout).encode()
    plan.files["spec.schema.json"] = SPEC_SCHEMA.read_bytes()
    repo, rev, note = hook_source()
    snippet = env.get_template("pre-commit-config.yaml.j2").render(repo=repo, rev=rev)
    if note:
        plan.notes.append(note)
    if (directory / PRE_COMMIT).exists():
        plan.pre_commit_snippet = snippet
    else:
        plan.files[PRE_COMMIT] = snippet.encode()
    return plan


def hook_source() -> tuple[str, str, str | None]:
    """The repository and rev of the atlas-compile-check hook: the package's project URLs when it
    declares any, else a placeholder and a note that says so."""
    try:
        meta = metadata.metadata("atlas-compile")
        version = meta["Version"]
        urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or []]
    except metadata.PackageNotFoundError:
        version, urls = "0.1.0", []
    source = next((u for u in urls if "github" in u or "gitlab" in u), urls[0] if urls else None)
    if source:
        return source, f"v{version}", None
    return (URL_PLACEHOLDER, f"v{version}",
            f"atlas-compile declares no repository URL (no [project.urls] in its pyproject): replace "
            f"{URL_PLACEHOLDER} in {PRE_COMMIT} with the repository you install it from, and rev with a tag "
            "or commit of it")


def existing(directory: Path, plan: Plan) -> list[str]:
    """What init refuses to overwrite: any spec file already in schema/, any file it would write."""
    found = sorted(p.relative_to(directory).as_posix() for pattern in ("*.yaml", "*.yml")
                   for p in (directory / "schema").rglob(pattern))
    found += [rel for rel in plan.files if (directory / rel).exists() and rel not in found]
    return found

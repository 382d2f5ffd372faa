"""Build and validate the Teams app package (manifest.json + two icons in one zip).

    python -m manifest.build                      # writes build/appPackage.zip
    python -m manifest.build --out some/where.zip
    python -m manifest.build --check-only         # validate only, write nothing

Configuration comes from the environment (see manifest/README.md):

    MicrosoftAppId          Entra app (client) id of the Azure Bot. Required for a real package.
                            --check-only (or --allow-placeholder) uses a placeholder GUID instead.
    TEAMS_APP_ID            Teams app id (manifest "id"); defaults to MicrosoftAppId.
    BOT_DOMAIN              host name of the bot's messaging endpoint, e.g. lotsen.kommun.se
    DEVELOPER_NAME          publisher shown in Teams (max 32 characters)
    DEVELOPER_WEBSITE_URL   https URL of the publisher / support page
    PRIVACY_URL             https URL of the privacy notice (integritetspolicy)
    TERMS_URL               https URL of the terms of use (användarvillkor)
    APP_VERSION             optional: overrides "version" from the template (MAJOR.MINOR.PATCH)

The filled manifest is validated against the official Teams JSON schema of the pinned
manifest version, taken from node_modules/@microsoft/app-manifest (draft-04, checked with
jsonschema.Draft4Validator), and against the package rules Teams applies on upload (zip layout,
icon sizes, GUIDs, semver, text lengths). Exit code 0 = valid, 1 = validation errors,
2 = setup problem (schema or template missing, bad arguments).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATE_PATH = HERE / "manifest.template.json"
DEFAULT_OUT = REPO / "build" / "appPackage.zip"
APP_MANIFEST_PKG = REPO / "node_modules" / "@microsoft" / "app-manifest"
SCHEMA_ROOT = APP_MANIFEST_PKG / "build" / "json-schemas" / "teams"

PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
EXAMPLE_BASE = "https://www.exempel.se/samverkanslotsen"

# Documented defaults. They validate, but they are examples: replace them before a real upload.
DEFAULTS: dict[str, str] = {
    "BOT_DOMAIN": "samverkanslotsen.exempel.se",
    "DEVELOPER_NAME": "Samverkanslotsen (exempel)",
    "DEVELOPER_WEBSITE_URL": EXAMPLE_BASE,
    "PRIVACY_URL": f"{EXAMPLE_BASE}/integritet",
    "TERMS_URL": f"{EXAMPLE_BASE}/villkor",
}

# Icon files and the pixel sizes Teams requires.
ICON_SIZES = {"color": 192, "outline": 32}

# Text limits Teams enforces on upload (the schema of newer versions may be looser for some).
LIMITS = {
    ("name", "short"): 30,
    ("name", "full"): 100,
    ("description", "short"): 80,
    ("description", "full"): 4000,
}
DEVELOPER_NAME_MAX = 32

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Teams accepts MAJOR.MINOR.PATCH with numbers only (no pre-release or build suffix).
SEMVER_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
SCHEMA_URL_RE = re.compile(
    r"^https://developer\.microsoft\.com/(?:en-us/)?json-schemas/teams/v(?P<v>[0-9]+\.[0-9]+)/MicrosoftTeams\.schema\.json$"
)
PLACEHOLDER_RE = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
DOMAIN_RE = re.compile(
    r"^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?$"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class SetupError(Exception):
    """Something needed for validation is missing (not a problem in the manifest itself)."""


# --------------------------------------------------------------------------- configuration


@dataclass
class Config:
    values: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def bot_id(self) -> str:
        return self.values["MicrosoftAppId"]


def read_env_file(path: Path) -> dict[str, str]:
    """Minimal KEY=VALUE reader (blank lines, # comments, optional `export ` and quotes)."""
    result: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        result[key] = value
    return result


def read_config(env: Mapping[str, str], *, allow_placeholder: bool) -> Config:
    """Collect template values from the environment, with documented defaults and warnings."""
    cfg = Config(values={})
    app_id = (env.get("MicrosoftAppId") or "").strip()
    if not app_id:
        if allow_placeholder:
            app_id = PLACEHOLDER_APP_ID
            cfg.warnings.append(
                f"MicrosoftAppId is not set: using the placeholder {PLACEHOLDER_APP_ID}. "
                "The result is fine for validation but cannot be uploaded to Teams."
            )
        else:
            cfg.errors.append(
                "config: MicrosoftAppId is not set. It is the app (client) id of the Azure Bot and is required "
                "for a package you can upload. Use --check-only (or --allow-placeholder) to validate without it."
            )
            app_id = PLACEHOLDER_APP_ID
    elif not GUID_RE.match(app_id):
        cfg.errors.append(f"config: MicrosoftAppId {app_id!r} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
    cfg.values["MicrosoftAppId"] = app_id

    teams_app_id = (env.get("TEAMS_APP_ID") or "").strip() or app_id
    if not GUID_RE.match(teams_app_id):
        cfg.errors.append(f"config: TEAMS_APP_ID {teams_app_id!r} is not a GUID.")
    cfg.values["TEAMS_APP_ID"] = teams_app_id

    defaulted = []
    for key, default in DEFAULTS.items():
        value = (env.get(key) or "").strip()
        if not value:
            value = default
            defaulted.append(key)
        cfg.values[key] = value
    if defaulted:
        cfg.warnings.append(
            "using example defaults for " + ", ".join(defaulted) + " (exempel.se). "
            "Set them to your organisation's values before uploading to a real tenant."
        )

    domain = cfg.values["BOT_DOMAIN"]
    if "://" in domain or "/" in domain or not DOMAIN_RE.match(domain):
        cfg.errors.append(
            f"config: BOT_DOMAIN {domain!r} must be a host name only, e.g. lotsen.kommun.se "
            "(no https://, no path; the messaging endpoint is https://<BOT_DOMAIN>/api/messages)."
        )
    for key in ("DEVELOPER_WEBSITE_URL", "PRIVACY_URL", "TERMS_URL"):
        if not cfg.values[key].lower().startswith("https://"):
            cfg.errors.append(f"config: {key} {cfg.values[key]!r} must be an https:// URL.")

    version = (env.get("APP_VERSION") or "").strip()
    if version:
        cfg.values["APP_VERSION"] = version
    return cfg


def fill_template(template: Any, values: Mapping[str, str]) -> tuple[Any, list[str]]:
    """Replace ${{NAME}} placeholders in every string of the parsed template."""
    missing: list[str] = []

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        missing.append(name)
        return match.group(0)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return PLACEHOLDER_RE.sub(sub, node)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return node

    filled = walk(template)
    if "APP_VERSION" in values and isinstance(filled, dict):
        filled["version"] = values["APP_VERSION"]
    errors = [f"template: no value for placeholder ${{{{{name}}}}}" for name in sorted(set(missing))]
    return filled, errors


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SetupError(f"manifest template not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise SetupError(f"manifest template {path} is not valid JSON: {exc}") from exc


# --------------------------------------------------------------------------- schema


def schema_path(manifest_version: str, schema_root: Path = SCHEMA_ROOT) -> Path:
    return schema_root / f"v{manifest_version}" / "MicrosoftTeams.schema.json"


def load_schema(manifest_version: str, schema_root: Path = SCHEMA_ROOT) -> dict[str, Any]:
    """The official Teams manifest schema bundled in @microsoft/app-manifest."""
    path = schema_path(manifest_version, schema_root)
    if not path.is_file():
        if not schema_root.is_dir():
            raise SetupError(
                f"the Teams manifest schemas are missing: {schema_root} does not exist.\n"
                f"  They come from the npm package @microsoft/app-manifest (pinned in {REPO / 'package.json'}).\n"
                f"  Install them with:  cd {REPO} && npm install --no-audit --no-fund"
            )
        bundled = sorted(p.name for p in schema_root.iterdir() if p.is_dir())
        raise SetupError(
            f"no bundled schema for manifest version {manifest_version!r} ({path} is missing). "
            f"Bundled versions: {', '.join(bundled)}"
        )
    return json.loads(path.read_text(encoding="utf-8-sig"))


def app_manifest_version() -> str:
    try:
        return json.loads((APP_MANIFEST_PKG / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def _pointer(path: Iterable[Any]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_message(error: Any, limit: int = 300) -> str:
    """jsonschema's message, with long string values abbreviated (the message itself is kept)."""
    message = error.message
    instance = error.instance
    if isinstance(instance, str) and len(instance) > 60:
        message = message.replace(repr(instance), f"{instance[:40]!r}… ({len(instance)} characters)")
    return _short(message, limit)


def schema_errors(manifest: Any, schema: Mapping[str, Any]) -> list[str]:
    """Validate with Draft 4 (what the Teams schemas declare); one readable line per error."""
    from jsonschema import Draft4Validator
    from jsonschema.exceptions import best_match

    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    lines = []
    for error in sorted(validator.iter_errors(manifest), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        message = _error_message(error)
        if error.context:
            inner = best_match(error.context)
            message += f" (closest: {_pointer(inner.absolute_path)}: {_error_message(inner, 160)})"
        lines.append(f"schema: {_pointer(error.absolute_path)}: {message}")
    return lines


# --------------------------------------------------------------------------- package rules


def _walk_strings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_strings(item, path + (i,))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(value, path + (key,))


def rule_errors(manifest: Any, *, expected_bot_id: str | None = None) -> list[str]:
    """Rules Teams applies to an app package beyond (or stricter than) the JSON schema."""
    if not isinstance(manifest, dict):
        return ["package: manifest.json must contain a JSON object"]
    errors: list[str] = []

    for path, text in _walk_strings(manifest):
        if PLACEHOLDER_RE.search(text):
            errors.append(f"package: {_pointer(path)} still contains a placeholder: {_short(text, 80)!r}")

    mv = manifest.get("manifestVersion")
    url = manifest.get("$schema")
    if isinstance(url, str):
        m = SCHEMA_URL_RE.match(url)
        if not m:
            errors.append(f"package: $schema {url!r} is not a Teams manifest schema URL")
        elif m.group("v") != mv:
            errors.append(f"package: $schema is for v{m.group('v')} but manifestVersion is {mv!r}")
    else:
        errors.append("package: $schema is missing")

    app_id = manifest.get("id")
    if not (isinstance(app_id, str) and GUID_RE.match(app_id)):
        errors.append(f"package: id {app_id!r} must be a GUID")

    version = manifest.get("version")
    if not (isinstance(version, str) and SEMVER_RE.match(version)):
        errors.append(f"package: version {version!r} must be MAJOR.MINOR.PATCH with numbers only, e.g. 1.0.0")

    for (section, key), limit in LIMITS.items():
        value = (manifest.get(section) or {}).get(key) if isinstance(manifest.get(section), dict) else None
        if not isinstance(value, str) or not value.strip():
            errors.append(f"package: {section}.{key} is missing or empty")
        elif len(value) > limit:
            errors.append(f"package: {section}.{key} is {len(value)} characters; Teams allows at most {limit}")
    description = manifest.get("description")
    if (
        isinstance(description, dict)
        and description.get("short")
        and description.get("short") == description.get("full")
    ):
        errors.append("package: description.short and description.full must differ")

    developer = manifest.get("developer") if isinstance(manifest.get("developer"), dict) else {}
    name = developer.get("name")
    if isinstance(name, str) and len(name) > DEVELOPER_NAME_MAX:
        errors.append(f"package: developer.name is {len(name)} characters; Teams allows at most {DEVELOPER_NAME_MAX}")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        value = developer.get(key)
        if not (isinstance(value, str) and value.lower().startswith("https://")):
            errors.append(f"package: developer.{key} {value!r} must be an https:// URL")

    bots = manifest.get("bots")
    if not isinstance(bots, list) or len(bots) != 1:
        errors.append("package: exactly one bot is expected in bots[]")
    else:
        bot = bots[0] if isinstance(bots[0], dict) else {}
        bot_id = bot.get("botId")
        if not (isinstance(bot_id, str) and GUID_RE.match(bot_id)):
            errors.append(f"package: bots[0].botId {bot_id!r} must be a GUID")
        elif expected_bot_id is not None and bot_id.lower() != expected_bot_id.lower():
            errors.append(f"package: bots[0].botId {bot_id} does not equal MicrosoftAppId {expected_bot_id}")
        scopes = bot.get("scopes") if isinstance(bot.get("scopes"), list) else []
        if len(set(scopes)) != len(scopes):
            errors.append("package: bots[0].scopes contains duplicates")
        seen_scopes: set[str] = set()
        for i, command_list in enumerate(bot.get("commandLists") or []):
            if not isinstance(command_list, dict):
                continue
            for scope in command_list.get("scopes") or []:
                if scope not in scopes:
                    errors.append(
                        f"package: bots[0].commandLists[{i}] is for scope {scope!r}, which the bot does not have"
                    )
                if scope in seen_scopes:
                    errors.append(f"package: scope {scope!r} has more than one command list")
                seen_scopes.add(scope)
            titles = [
                c.get("title", "").strip().lower() for c in command_list.get("commands") or [] if isinstance(c, dict)
            ]
            for title in sorted({t for t in titles if titles.count(t) > 1}):
                errors.append(f"package: bots[0].commandLists[{i}] has the command {title!r} more than once")

    for i, domain in enumerate(manifest.get("validDomains") or []):
        if not isinstance(domain, str) or "://" in domain or "/" in domain or not DOMAIN_RE.match(domain):
            errors.append(f"package: validDomains[{i}] {domain!r} must be a host name (no scheme, no path)")
        elif domain.startswith("*.") and domain.count(".") < 2:
            errors.append(f"package: validDomains[{i}] {domain!r} is too broad")

    icons = manifest.get("icons") if isinstance(manifest.get("icons"), dict) else {}
    if icons.get("color") and icons.get("color") == icons.get("outline"):
        errors.append("package: icons.color and icons.outline must be different files")
    return errors


def validate_manifest(
    manifest: Any, *, expected_bot_id: str | None = None, schema_root: Path = SCHEMA_ROOT
) -> list[str]:
    """Schema errors plus package rules for a manifest object (no icons)."""
    version = manifest.get("manifestVersion") if isinstance(manifest, dict) else None
    if not isinstance(version, str):
        return ["package: manifestVersion is missing"]
    schema = load_schema(version, schema_root)
    return schema_errors(manifest, schema) + rule_errors(manifest, expected_bot_id=expected_bot_id)


# --------------------------------------------------------------------------- PNG checks


@dataclass
class PngInfo:
    width: int
    height: int
    bit_depth: int
    color_type: int
    interlace: int
    has_trns: bool
    idat: bytes

    @property
    def has_alpha(self) -> bool:
        return self.color_type in (4, 6) or self.has_trns


def read_png(data: bytes) -> PngInfo:
    """Parse the PNG chunk structure (raises ValueError when it is not a valid PNG)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    pos = len(PNG_SIGNATURE)
    header = None
    has_trns = False
    idat = bytearray()
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError(f"truncated {kind.decode('latin-1')} chunk")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in {kind.decode('latin-1')} chunk")
        if header is None and kind != b"IHDR":
            raise ValueError("IHDR is not the first chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"tRNS":
            has_trns = True
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, bit_depth, color_type, _compression, _filter, interlace = header
    return PngInfo(width, height, bit_depth, color_type, interlace, has_trns, bytes(idat))


def decode_png_rgba(info: PngInfo) -> list[list[tuple[int, int, int, int]]] | None:
    """Pixels of an 8-bit, non-interlaced RGBA or grey+alpha PNG; None for other formats."""
    channels = {6: 4, 4: 2}.get(info.color_type)
    if channels is None or info.bit_depth != 8 or info.interlace != 0:
        return None
    raw = zlib.decompress(info.idat)
    stride = info.width * channels
    if len(raw) < info.height * (stride + 1):
        raise ValueError("image data is shorter than the header says")
    rows: list[list[tuple[int, int, int, int]]] = []
    prev = bytearray(stride)
    for y in range(info.height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
            elif ftype != 0:
                raise ValueError(f"unknown PNG filter type {ftype}")
        if channels == 4:
            rows.append([tuple(line[i : i + 4]) for i in range(0, stride, 4)])  # type: ignore[misc]
        else:
            rows.append([(line[i], line[i], line[i], line[i + 1]) for i in range(0, stride, 2)])
        prev = line
    return rows


def icon_errors(role: str, file_name: str, data: bytes) -> list[str]:
    size = ICON_SIZES[role]
    try:
        info = read_png(data)
    except ValueError as exc:
        return [f"package: icons.{role} {file_name!r}: {exc}"]
    errors = []
    if (info.width, info.height) != (size, size):
        errors.append(
            f"package: icons.{role} {file_name!r} is {info.width}x{info.height} pixels; Teams requires {size}x{size}"
        )
    if role == "outline":
        if not info.has_alpha:
            errors.append(f"package: icons.outline {file_name!r} has no transparency; it must be white on transparent")
        else:
            try:
                pixels = decode_png_rgba(info)
            except (ValueError, zlib.error) as exc:
                return errors + [f"package: icons.outline {file_name!r}: cannot read pixels: {exc}"]
            if pixels is not None:
                flat = [p for row in pixels for p in row]
                if not any(a == 0 for _, _, _, a in flat):
                    errors.append(
                        f"package: icons.outline {file_name!r} has no transparent pixels (background must be transparent)"
                    )
                off_white = sum(1 for r, g, b, a in flat if a > 0 and min(r, g, b) < 0xF5)
                if off_white:
                    errors.append(
                        f"package: icons.outline {file_name!r} has {off_white} visible pixels that are not white"
                    )
    return errors


# --------------------------------------------------------------------------- zip


def package_bytes(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip: manifest.json first, then the other files, all at the root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        entries = [("manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]
        entries += sorted(files.items())
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def validate_package_bytes(
    data: bytes, *, expected_bot_id: str | None = None, schema_root: Path = SCHEMA_ROOT
) -> list[str]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return [f"package: not a zip file: {exc}"]
    with zf:
        names = zf.namelist()
        errors: list[str] = []
        for name in names:
            if "/" in name or "\\" in name:
                errors.append(f"package: {name!r} is in a folder; all files must be at the root of the zip")
        if len(set(names)) != len(names):
            errors.append("package: the zip contains duplicate entries")
        if "manifest.json" not in names:
            return errors + ["package: manifest.json is missing at the root of the zip"]
        raw = zf.read("manifest.json")
        if raw.startswith(b"\xef\xbb\xbf"):
            errors.append("package: manifest.json starts with a byte order mark; save it as UTF-8 without BOM")
            raw = raw[3:]
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return errors + [f"package: manifest.json is not valid UTF-8 JSON: {exc}"]
        errors += validate_manifest(manifest, expected_bot_id=expected_bot_id, schema_root=schema_root)

        expected = {"manifest.json"}
        icons = manifest.get("icons") if isinstance(manifest, dict) and isinstance(manifest.get("icons"), dict) else {}
        for role in ICON_SIZES:
            file_name = icons.get(role)
            if not isinstance(file_name, str):
                continue  # the schema reports the missing icon
            expected.add(file_name)
            if file_name not in names:
                errors.append(f"package: icons.{role} names {file_name!r}, which is not in the zip")
            else:
                errors += icon_errors(role, file_name, zf.read(file_name))
        localization = manifest.get("localizationInfo") if isinstance(manifest, dict) else None
        if isinstance(localization, dict):
            language_files = [localization.get("defaultLanguageFile")] + [
                lang.get("file") for lang in localization.get("additionalLanguages") or [] if isinstance(lang, dict)
            ]
            for file_name in filter(None, language_files):
                expected.add(file_name)
                if file_name not in names:
                    errors.append(f"package: localization file {file_name!r} is not in the zip")
        for extra in sorted(set(names) - expected):
            errors.append(f"package: unexpected file {extra!r}; the zip must hold only manifest.json and the icons")
        return errors


def validate_package(
    zip_path: str | os.PathLike[str], *, expected_bot_id: str | None = None, schema_root: Path = SCHEMA_ROOT
) -> list[str]:
    """All errors for an app package zip (schema + package rules + icons). [] means valid.

    Raises SetupError when the bundled Teams schemas are not installed (npm install).
    """
    return validate_package_bytes(Path(zip_path).read_bytes(), expected_bot_id=expected_bot_id, schema_root=schema_root)


# --------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    manifest: dict[str, Any]
    package: bytes
    errors: list[str]
    warnings: list[str]
    config: Config


def build(
    env: Mapping[str, str],
    *,
    allow_placeholder: bool = False,
    template_path: Path = TEMPLATE_PATH,
    icon_dir: Path = HERE,
    schema_root: Path = SCHEMA_ROOT,
) -> BuildResult:
    """Fill the template from env, zip it with the icons and validate the zip (nothing is written)."""
    cfg = read_config(env, allow_placeholder=allow_placeholder)
    template = load_template(template_path)
    manifest, template_errors = fill_template(template, cfg.values)
    files: dict[str, bytes] = {}
    missing_files: list[str] = []
    for role in ICON_SIZES:
        name = (manifest.get("icons") or {}).get(role)
        if not isinstance(name, str):
            continue
        path = icon_dir / name
        if path.is_file():
            files[name] = path.read_bytes()
        else:
            missing_files.append(f"icons: {path} does not exist (run python -m manifest.make_icons)")
    package = package_bytes(manifest, files)
    errors = cfg.errors + template_errors + missing_files
    errors += validate_package_bytes(package, expected_bot_id=cfg.bot_id, schema_root=schema_root)
    return BuildResult(manifest, package, errors, cfg.warnings, cfg)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m manifest.build",
        description="Build and validate the Samverkanslotsen Teams app package.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"zip to write (default: {_rel(DEFAULT_OUT)})")
    parser.add_argument("--check-only", action="store_true", help="validate only; write nothing")
    parser.add_argument(
        "--allow-placeholder",
        action="store_true",
        help="write a package even when MicrosoftAppId is not set (placeholder GUID; not uploadable)",
    )
    parser.add_argument("--env-file", type=Path, help="read KEY=VALUE lines; the real environment wins")
    args = parser.parse_args(argv)

    env: dict[str, str] = {}
    if args.env_file:
        try:
            env.update(read_env_file(args.env_file))
        except OSError as exc:
            print(f"error: cannot read --env-file: {exc}", file=sys.stderr)
            return 2
    env.update(os.environ)

    try:
        result = build(env, allow_placeholder=args.check_only or args.allow_placeholder)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    manifest = result.manifest
    mv = manifest.get("manifestVersion", "?")
    print("Samverkanslotsen – Teams app package")
    print(f"  template:        {_rel(TEMPLATE_PATH)}")
    print(
        f"  schema:          Teams manifest v{mv}, {_rel(schema_path(mv))} "
        f"(@microsoft/app-manifest {app_manifest_version()}, JSON Schema draft-04)"
    )
    print(f"  app id:          {manifest.get('id')}")
    print(f"  bot id:          {result.config.bot_id}")
    print(f"  version:         {manifest.get('version')}")
    print(f"  bot domain:      {result.config.values.get('BOT_DOMAIN')}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    schema_count = sum(1 for e in result.errors if e.startswith("schema:"))
    other_count = len(result.errors) - schema_count
    print(f"  schema errors:   {schema_count}")
    print(f"  other errors:    {other_count} (configuration, package rules, icons)")
    for error in result.errors:
        print(f"error: {error}")
    if result.errors:
        print(f"FAILED: {len(result.errors)} error(s); no package written.")
        return 1
    if args.check_only:
        print("OK: the manifest and package are valid (check only, nothing written).")
        return 0
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(result.package)
    print(
        f"OK: wrote {_rel(out)} ({len(result.package)} bytes: manifest.json, {', '.join(sorted(result.manifest['icons'].values()))})."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

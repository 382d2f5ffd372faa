"""The Teams app package: template, icons, build script and validation rules."""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also work when pytest is not started with `python -m`
    sys.path.insert(0, str(REPO))

from manifest import build as mb  # noqa: E402
from manifest import make_icons  # noqa: E402

# No skip when node_modules is missing: the tests then fail with mb.SetupError, whose message
# says to run `npm install --no-audit --no-fund`. A silently skipped schema check would hide that.

BOT_ID = "3f2b9c4e-8d1a-4b6f-9e2c-7a5d1c0b8e91"
ENV = {
    "MicrosoftAppId": BOT_ID,
    "BOT_DOMAIN": "lotsen.kommun.example.se",
    "DEVELOPER_NAME": "Samordningsförbundet Test",
    "DEVELOPER_WEBSITE_URL": "https://www.exempel.se/lotsen",
    "PRIVACY_URL": "https://www.exempel.se/lotsen/integritet",
    "TERMS_URL": "https://www.exempel.se/lotsen/villkor",
}
PINNED_VERSION = "1.19"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real package with the CLI entry point into a temporary folder."""
    out = tmp_path_factory.mktemp("pkg") / "appPackage.zip"
    saved = dict(os.environ)
    try:
        os.environ.update(ENV)
        assert mb.main(["--out", str(out)]) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return out


@pytest.fixture()
def manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as zf:
        return json.loads(zf.read("manifest.json").decode("utf-8"))


@pytest.fixture(scope="module")
def icons() -> dict[str, bytes]:
    return {name: (mb.HERE / name).read_bytes() for name in ("color.png", "outline.png")}


def errors_for(manifest: dict, files: dict[str, bytes], **kw) -> list[str]:
    return mb.validate_package_bytes(mb.package_bytes(manifest, files), expected_bot_id=BOT_ID, **kw)


def assert_has(errors: list[str], pattern: str) -> None:
    assert any(re.search(pattern, e) for e in errors), f"no error matching {pattern!r} in:\n" + "\n".join(errors)


# --------------------------------------------------------------------------- the real package


def test_built_package_has_zero_schema_errors(package: Path, manifest: dict) -> None:
    assert mb.schema_errors(manifest, mb.load_schema(PINNED_VERSION)) == []
    assert mb.validate_package(package, expected_bot_id=BOT_ID) == []


def test_package_layout(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert not zf.read("manifest.json").startswith(b"\xef\xbb\xbf")


def test_manifest_content(manifest: dict) -> None:
    assert manifest["manifestVersion"] == PINNED_VERSION
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/en-us/json-schemas/teams/v{PINNED_VERSION}/MicrosoftTeams.schema.json"
    )
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "sv-se"
    assert manifest["id"] == BOT_ID  # TEAMS_APP_ID defaults to MicrosoftAppId
    assert manifest["developer"] == {
        "name": ENV["DEVELOPER_NAME"],
        "websiteUrl": ENV["DEVELOPER_WEBSITE_URL"],
        "privacyUrl": ENV["PRIVACY_URL"],
        "termsOfUseUrl": ENV["TERMS_URL"],
    }
    assert manifest["validDomains"] == [ENV["BOT_DOMAIN"]]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    commands = {tuple(cl["scopes"]): [c["title"] for c in cl["commands"]] for cl in bot["commandLists"]}
    assert commands[("personal",)] == [
        "hjälp",
        "rapportera avvikelse",
        "begär arena",
        "begär sip",
        "vem kontaktar jag",
    ]
    assert commands[("team",)] == ["hjälp", "koppla kanal", "lista avvikelser", "sammanställning", "obesvarade frågor"]
    assert set(commands[("groupChat",)]) <= set(commands[("personal",)])
    for command_list in bot["commandLists"]:
        for command in command_list["commands"]:
            assert command["title"] == command["title"].lower()
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128


def test_app_version_and_team_app_id_overrides(icons: dict[str, bytes]) -> None:
    other = "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d"
    result = mb.build({**ENV, "APP_VERSION": "1.2.3", "TEAMS_APP_ID": other})
    assert result.errors == []
    assert result.manifest["version"] == "1.2.3"
    assert result.manifest["id"] == other
    assert result.manifest["bots"][0]["botId"] == BOT_ID


def test_template_validates_under_newest_bundled_schema_too(manifest: dict) -> None:
    """The pinned version is deliberate; this only shows an upgrade would not need content changes."""
    versions = [p.name[1:] for p in mb.SCHEMA_ROOT.iterdir() if re.fullmatch(r"v\d+\.\d+", p.name)]
    newest = max(versions, key=lambda v: tuple(map(int, v.split("."))))
    upgraded = copy.deepcopy(manifest)
    upgraded["manifestVersion"] = newest
    upgraded["$schema"] = upgraded["$schema"].replace(f"v{PINNED_VERSION}", f"v{newest}")
    assert mb.schema_errors(upgraded, mb.load_schema(newest)) == []


# --------------------------------------------------------------------------- CLI


def _run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV and k not in ("TEAMS_APP_ID", "APP_VERSION")}
    return subprocess.run(
        [sys.executable, "-m", "manifest.build", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_check_only_without_app_id_warns_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    proc = _run_cli("--check-only", "--out", str(out), env={})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "schema errors:   0" in proc.stdout
    assert "warning: MicrosoftAppId is not set" in proc.stdout
    assert mb.PLACEHOLDER_APP_ID in proc.stdout
    assert not out.exists()


def test_cli_real_package_requires_app_id(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    proc = _run_cli("--out", str(out), env={})
    assert proc.returncode == 1
    assert "MicrosoftAppId is not set" in proc.stdout
    assert not out.exists()


def test_cli_rejects_url_as_bot_domain(tmp_path: Path) -> None:
    proc = _run_cli("--out", str(tmp_path / "p.zip"), env={**ENV, "BOT_DOMAIN": "https://lotsen.se/api/messages"})
    assert proc.returncode == 1
    assert "BOT_DOMAIN" in proc.stdout and "host name" in proc.stdout


def test_missing_schemas_are_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(mb.SetupError, match="npm install"):
        mb.build(ENV, schema_root=tmp_path / "node_modules" / "nothing")


# --------------------------------------------------------------------------- negative cases


def test_too_long_short_name(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["name"]["short"] = "Samverkanslotsen för hela Jönköpings län"
    errors = errors_for(broken, icons)
    assert_has(errors, r"^schema: /name/short: .* is too long")
    assert_has(errors, r"^package: name\.short is 40 characters; Teams allows at most 30")


def test_unknown_top_level_property(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = {**manifest, "unknownTopLevel": True}
    errors = errors_for(broken, icons)
    assert errors == ["schema: /: Additional properties are not allowed ('unknownTopLevel' was unexpected)"]


def test_bad_scope(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["bots"][0]["scopes"] = ["personal", "channel"]
    errors = errors_for(broken, icons)
    assert_has(errors, r"^schema: /bots/0/scopes/1: 'channel' is not one of \['team', 'personal', 'groupChat'\]")
    # the command lists for team and groupChat now point at scopes the bot lacks
    assert_has(errors, r"commandLists\[1\] is for scope 'team', which the bot does not have")


@pytest.mark.parametrize(("file_name", "size", "expected"), [("outline.png", 100, 32), ("color.png", 32, 192)])
def test_wrong_icon_size(manifest: dict, icons: dict[str, bytes], file_name: str, size: int, expected: int) -> None:
    pixels = [[(255, 255, 255, 0)] * size for _ in range(size)]
    pixels[size // 2][size // 2] = (255, 255, 255, 255)
    files = {**icons, file_name: make_icons.png_bytes(size, size, pixels)}
    errors = errors_for(manifest, files)
    role = file_name.removesuffix(".png")
    assert errors == [
        f"package: icons.{role} '{file_name}' is {size}x{size} pixels; Teams requires {expected}x{expected}"
    ]


def test_outline_must_be_white_on_transparent(manifest: dict, icons: dict[str, bytes]) -> None:
    opaque = make_icons.png_bytes(32, 32, [[(11, 92, 110, 255)] * 32 for _ in range(32)])
    errors = errors_for(manifest, {**icons, "outline.png": opaque})
    assert_has(errors, r"outline 'outline\.png' has no transparent pixels")
    assert_has(errors, r"outline 'outline\.png' has 1024 visible pixels that are not white")


def test_icon_must_be_png(manifest: dict, icons: dict[str, bytes]) -> None:
    errors = errors_for(manifest, {**icons, "color.png": b"GIF89a not a png"})
    assert errors == ["package: icons.color 'color.png': not a PNG file (bad signature)"]


def test_icon_file_names_must_match_manifest(manifest: dict, icons: dict[str, bytes]) -> None:
    files = {"colour.png": icons["color.png"], "outline.png": icons["outline.png"]}
    errors = errors_for(manifest, files)
    assert_has(errors, r"icons\.color names 'color\.png', which is not in the zip")
    assert_has(errors, r"unexpected file 'colour\.png'")


def test_zip_must_hold_only_manifest_and_icons_at_root(manifest: dict, icons: dict[str, bytes]) -> None:
    errors = errors_for(manifest, {**icons, "README.txt": b"hej", "img/extra.png": icons["color.png"]})
    assert_has(errors, r"unexpected file 'README\.txt'")
    assert_has(errors, r"'img/extra\.png' is in a folder")


def test_bot_id_must_equal_microsoft_app_id(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["bots"][0]["botId"] = "11111111-2222-4333-8444-555555555555"
    assert_has(errors_for(broken, icons), r"botId 11111111-.* does not equal MicrosoftAppId " + BOT_ID)


def test_ids_must_be_guids(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["id"] = "samverkanslotsen"
    broken["bots"][0]["botId"] = "not-a-guid"
    errors = errors_for(broken, icons)
    assert_has(errors, r"^schema: /id: 'samverkanslotsen' does not match")
    assert_has(errors, r"^package: id 'samverkanslotsen' must be a GUID")
    assert_has(errors, r"^package: bots\[0\]\.botId 'not-a-guid' must be a GUID")


@pytest.mark.parametrize("version", ["1.0", "1.0.0-beta", "v1.0.0", "01.0.0"])
def test_version_must_be_semver(manifest: dict, icons: dict[str, bytes], version: str) -> None:
    broken = {**manifest, "version": version}
    assert_has(errors_for(broken, icons), r"^package: version .* must be MAJOR\.MINOR\.PATCH")


def test_description_limits(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["description"]["short"] = "x" * 81
    broken["description"]["full"] = "y" * 4001
    errors = errors_for(broken, icons)
    assert_has(errors, r"^package: description\.short is 81 characters; Teams allows at most 80")
    assert_has(errors, r"^package: description\.full is 4001 characters; Teams allows at most 4000")
    assert_has(errors, r"^schema: /description/full: 'y{40}'… \(4001 characters\) is too long$")


def test_language_tag_and_schema_url(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["localizationInfo"]["defaultLanguageTag"] = "sv_SE"
    broken["$schema"] = broken["$schema"].replace("v1.19", "v1.17")
    errors = errors_for(broken, icons)
    assert_has(errors, r"^schema: /localizationInfo/defaultLanguageTag: 'sv_SE' does not match")
    assert_has(errors, r"^package: \$schema is for v1\.17 but manifestVersion is '1\.19'")


def test_unfilled_placeholder_is_an_error(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    broken["validDomains"] = ["${{BOT_DOMAIN}}"]
    errors = errors_for(broken, icons)
    assert_has(errors, r"^package: /validDomains/0 still contains a placeholder")
    filled, template_errors = mb.fill_template({"a": "${{NOPE}}"}, {})
    assert template_errors == ["template: no value for placeholder ${{NOPE}}"]


def test_duplicate_command_titles(manifest: dict, icons: dict[str, bytes]) -> None:
    broken = copy.deepcopy(manifest)
    commands = broken["bots"][0]["commandLists"][0]["commands"]
    commands.append(dict(commands[0]))
    assert_has(errors_for(broken, icons), r"commandLists\[0\] has the command 'hjälp' more than once")


# --------------------------------------------------------------------------- icons


def test_committed_icons_are_valid(icons: dict[str, bytes]) -> None:
    assert mb.icon_errors("color", "color.png", icons["color.png"]) == []
    assert mb.icon_errors("outline", "outline.png", icons["outline.png"]) == []
    info = mb.read_png(icons["outline.png"])
    assert (info.width, info.height, info.color_type) == (32, 32, 6)
    pixels = mb.decode_png_rgba(info)
    assert pixels is not None and pixels[0][0][3] == 0  # transparent corner


def test_committed_icons_match_the_generator(tmp_path: Path, icons: dict[str, bytes]) -> None:
    assert make_icons.main(["--out-dir", str(tmp_path)]) == 0
    for name, data in icons.items():
        assert (tmp_path / name).read_bytes() == data, f"{name} is stale: run python -m manifest.make_icons"


# --------------------------------------------------------------------------- cross-check with Microsoft's validator

AJV_CHECK = r"""
// Same validator set-up as @microsoft/app-manifest AppManifestUtils.validateManifestAgainstSchema
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");
const [schemaPath, manifestsJson] = [process.argv[1], require("fs").readFileSync(0, "utf8")];
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ["uri", "email", "regex"]);
const validate = ajv.compile(JSON.parse(require("fs").readFileSync(schemaPath, "utf8")));
const out = JSON.parse(manifestsJson).map((m) =>
  validate(m) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`));
process.stdout.write(JSON.stringify(out));
"""


def test_microsoft_ajv_validator_agrees(manifest: dict) -> None:
    node = shutil.which("node")
    assert node, "node is needed for this cross-check"
    assert (REPO / "node_modules" / "ajv-draft-04").is_dir(), "run npm install --no-audit --no-fund"
    broken = copy.deepcopy(manifest)
    broken["name"]["short"] = "x" * 31
    broken["unknownTopLevel"] = 1
    broken["bots"][0]["scopes"] = ["personal", "channel"]
    del broken["developer"]
    proc = subprocess.run(
        [node, "-e", AJV_CHECK, str(mb.schema_path(PINNED_VERSION))],
        input=json.dumps([manifest, broken]),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    good, bad = json.loads(proc.stdout)
    assert good == []
    assert len(bad) == 4, bad
    py_errors = mb.schema_errors(broken, mb.load_schema(PINNED_VERSION))
    assert len(py_errors) == 4, py_errors


def _png_with_filters(pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An RGBA PNG whose scanlines use filter types 0-4 in turn (PNG spec section 9)."""
    width, height = len(pixels[0]), len(pixels)
    raw_rows = [bytes(v for px in row for v in px) for row in pixels]
    out = bytearray()
    prior = bytes(width * 4)
    for y, row in enumerate(raw_rows):
        ftype = y % 5
        out.append(ftype)
        for x, value in enumerate(row):
            a = row[x - 4] if x >= 4 else 0
            b = prior[x]
            c = prior[x - 4] if x >= 4 else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out.append((value - pred) & 0xFF)
        prior = row
    plain = make_icons.png_bytes(width, height, pixels)
    info = mb.read_png(plain)
    # swap the IDAT of the unfiltered file for the filtered data
    idat = zlib.compress(bytes(out))
    start = plain.index(b"IDAT") - 4
    end = start + 12 + len(info.idat)
    chunk = struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat) & 0xFFFFFFFF)
    return plain[:start] + chunk + plain[end:]


def test_png_decoder_handles_all_filter_types() -> None:
    rng = random.Random(7)
    pixels = [[tuple(rng.randrange(256) for _ in range(4)) for _ in range(9)] for _ in range(10)]
    data = _png_with_filters(pixels)  # type: ignore[arg-type]
    assert mb.decode_png_rgba(mb.read_png(data)) == pixels

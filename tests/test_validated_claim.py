"""A build that runs EPUBCheck and Ace clean with `--validate` claims accessibility conformance
in its EPUB, saying exactly who checked it; any other build makes no claim, and says why when it
withheld one (issue 16). The claim is written before the validators run: they judge its bytes."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publisher.base.diagnostics import Severity
from publisher.base.digests import file_sha256
from publisher.base.text import counted
from publisher.pipeline import BuildRequest, BuildResult, Format, build
from publisher.validation import claim as claim_module
from publisher.validation import files as files_module
from publisher.validation.claim import CONFORMS_TO, Checkers
from publisher.validation.epub import ace_version, epubcheck_version
from publisher.validation.runner import ValidatorResult, diag, make_result

from .conftest import ONE_PART_TOML, ProjectMaker, review

OPF = {"opf": "http://www.idpf.org/2007/opf"}
EPOCH = "1780000000"  # 2026-05-28
DAY = "2026-05-28"
BOOK = "antologia-de-prueba.epub"
RULE = (
    "; it claims one only when EPUBCheck (0 fatal, 0 errors, 0 warnings) and Ace (0 violations)"
    " pass the file that carries it, or when [accessibility] declares who certifies it"
)
DECLARED = """
[accessibility]
certified_by = "Laboratorio de Lectura Accesible"
conforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
"""


def _claims(epub: Path) -> tuple[list[str], list[str]]:
    """(dcterms:conformsTo values, a11y:certifiedBy values) of the EPUB's package document."""
    with zipfile.ZipFile(epub) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".opf")]
        opf = etree.fromstring(archive.read(name))

    def values(prop: str) -> list[str]:
        found = opf.xpath(f"//opf:metadata/opf:meta[@property='{prop}']/text()", namespaces=OPF)
        assert isinstance(found, list)
        return [str(v) for v in found]

    return values("dcterms:conformsTo"), values("a11y:certifiedBy")


def _build(anthology: Path, validate: bool) -> BuildResult:
    out = anthology.parent.parent / "dist"
    return build(BuildRequest(anthology, frozenset({Format.EPUB}), out, validate=validate))


def _withheld(result: BuildResult) -> list[str]:
    return [d.message for d in result.diagnostics if d.code == "a11y-claim-withheld"]


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_a_clean_validated_build_claims_and_a_plain_build_does_not(
    make_project: ProjectMaker, epoch: None
) -> None:
    anthology = make_project({"belchite.md": review(title="Belchite")})
    validated = _build(anthology, validate=True)
    [output] = validated.outputs
    who = (
        f"EPUBCheck {epubcheck_version()} and Ace by DAISY {ace_version()}"
        f" (automated checks only, no manual review), {DAY}"
    )
    assert _claims(output.path) == ([CONFORMS_TO], [who])
    # The validators judged these very bytes, and passed them clean.
    by_name = {v.validator: v for v in validated.validators if v.target == output.path}
    epubcheck, ace = by_name["epubcheck"], by_name["ace"]
    counts = epubcheck.counts
    assert (counts["fatal"], counts["error"], counts["warning"]) == (0, 0, 0)
    assert (ace.counts["violations"], ace.details["outcome"]) == (0, "pass")
    assert _withheld(validated) == []
    claimed = output.path.read_bytes()
    assert output.sha256 == file_sha256(output.path)
    # A build without --validate never keeps the claimed EPUB: it makes one without the claim.
    [plain] = _build(anthology, validate=False).outputs
    assert not plain.cached
    assert _claims(plain.path) == ([], [])
    [again] = _build(anthology, validate=False).outputs
    assert again.cached
    # And the reverse: validating again rebuilds the claimed EPUB, byte for byte the same.
    [revalidated] = _build(anthology, validate=True).outputs
    assert not revalidated.cached
    assert revalidated.path.read_bytes() == claimed


def test_an_ace_violation_withholds_the_claim(make_project: ProjectMaker, epoch: None) -> None:
    """A real fault: a house stylesheet greys the text below the contrast WCAG asks for."""
    toml = ONE_PART_TOML.replace("front = []", 'front = []\nextra_css = ["estilo/palido.css"]')
    anthology = make_project({"belchite.md": review(title="Belchite")}, toml)
    (anthology.parent / "estilo").mkdir()
    (anthology.parent / "estilo" / "palido.css").write_text("p { color: #c8c8c8; }\n", "utf-8")
    result = _build(anthology, validate=True)
    [output] = result.outputs
    [ace] = [v for v in result.validators if v.validator == "ace"]
    violations = ace.counts["violations"]
    assert violations > 0
    assert {d.code for d in ace.errors} == {"color-contrast"}
    assert _withheld(result) == [
        f"{BOOK} makes no accessibility conformance claim:"
        f" Ace found {counted(violations, 'violation')}{RULE}"
    ]
    [warning] = [d for d in result.diagnostics if d.code == "a11y-claim-withheld"]
    assert (Path(warning.path), warning.severity) == (output.path, Severity.WARNING)
    assert _claims(output.path) == ([], [])
    # The result describes the file as rewritten, not the claimed one the validators saw.
    assert output.sha256 == file_sha256(output.path)


def _fake(validator: str, counts: dict[str, int], version: str, *errors: str) -> object:
    def run(path: Path, *_: object) -> ValidatorResult:
        found = [diag(Severity.ERROR, path, code, "a fault", validator) for code in errors]
        return make_result(validator, path, found, counts, {"version": version})

    return run


CLEAN_EPUBCHECK = {"fatal": 0, "error": 0, "warning": 0}


@pytest.fixture
def fake_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validators that report what each test says, at versions 5.3.0 and 1.4.6."""
    monkeypatch.setattr(claim_module, "epubcheck_version", lambda: "5.3.0")
    monkeypatch.setattr(claim_module, "ace_version", lambda: "1.4.6")
    monkeypatch.setattr(files_module, "run_epubcheck", _fake("epubcheck", CLEAN_EPUBCHECK, "5.3.0"))
    monkeypatch.setattr(files_module, "_ace", _fake("ace", {"violations": 0}, "1.4.6"))


@pytest.mark.parametrize(
    ("validator", "result", "reason"),
    [
        (
            "run_epubcheck",
            _fake("epubcheck", {"fatal": 0, "error": 1, "warning": 0}, "5.3.0", "RSC-005"),
            "EPUBCheck found 0 fatal errors, 1 error and 0 warnings",
        ),
        (
            "run_epubcheck",
            _fake("epubcheck", {"fatal": 0, "error": 0, "warning": 2}, "5.3.0"),
            "EPUBCheck found 0 fatal errors, 0 errors and 2 warnings",
        ),
        (
            "_ace",
            _fake("ace", {}, "", "validator-failed"),
            "Ace could not check it (validator-failed)",
        ),
        (
            "_ace",
            _fake("ace", {"violations": 0}, "1.5.0"),
            "Ace 1.5.0 checked it, not 1.4.6 as the claim says",
        ),
    ],
)
def test_a_validator_that_does_not_pass_the_claimed_file_withholds_it(
    make_project: ProjectMaker,
    fake_tools: None,
    monkeypatch: pytest.MonkeyPatch,
    validator: str,
    result: object,
    reason: str,
) -> None:
    monkeypatch.setattr(files_module, validator, result)
    anthology = make_project({"belchite.md": review()})
    built = _build(anthology, validate=True)
    assert _withheld(built) == [f"{BOOK} makes no accessibility conformance claim: {reason}{RULE}"]
    assert _claims(built.outputs[0].path) == ([], [])


def test_clean_fakes_keep_the_claim(make_project: ProjectMaker, fake_tools: None) -> None:
    """The counterpart of the faults above: the same fakes, clean, keep it."""
    built = _build(make_project({"belchite.md": review()}), validate=True)
    assert _withheld(built) == []
    assert _claims(built.outputs[0].path)[0] == [CONFORMS_TO]


def test_a_missing_validator_means_no_claim_at_all(
    make_project: ProjectMaker, fake_tools: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claim_module, "ace_version", lambda: None)
    built = _build(make_project({"belchite.md": review()}), validate=True)
    assert _withheld(built) == [
        f"{BOOK} makes no accessibility conformance claim:"
        f" Ace by DAISY is not available to check it{RULE}"
    ]
    assert _claims(built.outputs[0].path) == ([], [])


def test_a_declared_table_wins_over_the_automatic_claim(
    make_project: ProjectMaker, fake_tools: None
) -> None:
    anthology = make_project({"belchite.md": review()}, ONE_PART_TOML + DECLARED)
    built = _build(anthology, validate=True)
    assert _claims(built.outputs[0].path) == (
        ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"],
        ["Laboratorio de Lectura Accesible"],
    )
    assert _withheld(built) == []


def test_the_claim_names_the_tools_and_the_day() -> None:
    made = claim_module.automated_claim(Checkers("5.3.0", "1.4.6"), dt.date(2026, 5, 28))
    assert (made.conforms_to, made.certified_by, made.credential, made.report) == (
        "EPUB Accessibility 1.1 - WCAG 2.2 Level A",
        "EPUBCheck 5.3.0 and Ace by DAISY 1.4.6 (automated checks only, no manual review),"
        " 2026-05-28",
        None,
        None,
    )

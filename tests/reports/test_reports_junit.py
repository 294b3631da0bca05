"""JUnit XML: parseable by xml.etree, counts right, text survives the round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from reports_samples import (
    failing_verify,
    logs_report,
    passing_verify,
    smoke_engine_report,
    smoke_report,
)

from truthgate.model import (
    Exchange,
    InvariantResult,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
    StepResult,
)
from truthgate.reports import render


def parse(report: RunReport) -> ET.Element:
    return ET.fromstring(render("junit", report).encode("utf-8"))


def counts(el: ET.Element) -> tuple[int, int, int, int]:
    return (int(el.get("tests", -1)), int(el.get("failures", -1)), int(el.get("errors", -1)),
            int(el.get("skipped", -1)))


def totals(root: ET.Element) -> tuple[int, int, int]:
    assert "skipped" not in root.attrib  # junit-10.xsd has no such attribute there
    return int(root.get("tests", -1)), int(root.get("failures", -1)), int(root.get("errors", -1))


# The constraints of junit-10.xsd (the "common JUnit schema" Jenkins' xunit plugin
# publishes) that a writer can break: the attributes each element may carry, which are
# required, and the order and number of children.
ATTRS = {
    "testsuites": ({"name", "time", "tests", "failures", "disabled", "errors"}, set()),
    "testsuite": ({"name", "tests", "failures", "errors", "time", "disabled", "skipped",
                   "timestamp", "hostname", "id", "package"}, {"name", "tests"}),
    "properties": (set(), set()),
    "property": ({"name", "value"}, {"name", "value"}),
    "testcase": ({"name", "assertions", "time", "classname", "status"}, {"name"}),
    "skipped": ({"message"}, set()),
    "error": ({"message", "type"}, set()),
    "failure": ({"message", "type"}, set()),
    "system-out": (set(), set()),
    "system-err": (set(), set()),
}
ORDER = {
    "testsuites": ["testsuite"],
    "testsuite": ["properties", "testcase", "system-out", "system-err"],
    "properties": ["property"],
    "testcase": ["skipped", "error", "failure", "system-out", "system-err"],
}
AT_MOST_ONE = {("testsuite", "properties"), ("testsuite", "system-out"),
               ("testsuite", "system-err"), ("testcase", "skipped")}


def check_junit10(el: ET.Element) -> None:
    allowed, required = ATTRS[el.tag]
    assert set(el.attrib) <= allowed, (el.tag, set(el.attrib) - allowed)
    assert required <= set(el.attrib), (el.tag, required - set(el.attrib))
    children = [c.tag for c in el]
    order = ORDER.get(el.tag, [])
    assert [order.index(t) for t in children] == sorted(order.index(t) for t in children), (
        el.tag, children)
    for tag in set(children):
        assert (el.tag, tag) not in AT_MOST_ONE or children.count(tag) == 1, (el.tag, tag)
    if el.tag == "properties":
        assert children, "junit-10.xsd needs at least one property in <properties>"
    for child in el:
        check_junit10(child)


@pytest.mark.parametrize("make", [passing_verify, failing_verify, smoke_report,
                                  smoke_engine_report, logs_report,
                                  lambda: RunReport(RunContext(command="verify"))])
def test_documents_meet_junit_10_xsd(make: object) -> None:
    check_junit10(parse(make()))  # type: ignore[operator]


def test_failing_verify_counts_and_text() -> None:
    root = parse(failing_verify())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["verify"]
    assert totals(root) == (4, 2, 1) and counts(suites[0]) == (4, 2, 1, 0)
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["no-secrets", "kb-files", "import-cycles",
                                              "no-cors-*"]
    assert cases[0].get("classname") == "truthgate.verify.no_hardcoded_secrets"
    assert cases[0].get("time") == "0.020"
    failure = cases[0].find("failure")
    assert failure is not None
    # Quotes, <, &, commas, unicode and newlines come back exactly as the model had them.
    assert failure.get("message") == '2 findings: No literal secrets ("keys", <tokens> & passwords)'
    assert 'SECRET_KEY = "dev-key" — literal <default> & "quoted"' in (failure.text or "")
    assert "src/app, v2/cönfig.py:12:5" in (failure.text or "")
    error = cases[2].find("error")
    assert error is not None
    assert error.get("message") == ("RecursionError: maximum recursion depth exceeded\n"
                                    "in graph.walk()")
    assert list(cases[3]) == []
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert props["git_branch"] == "feature/ä,b:c" and props["product"] == "shop|front <beta>"


def test_passing_verify() -> None:
    root = parse(passing_verify())
    assert totals(root) == (3, 0, 0) and counts(root.find("testsuite")) == (3, 0, 0, 1)
    skipped = root.findall("./testsuite/testcase/skipped")
    assert len(skipped) == 1


def test_smoke_counts_and_elements() -> None:
    root = parse(smoke_report())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "smoke"
    assert counts(suite) == (4, 1, 1, 1)
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"S0 health is green", "S3 login works", "S5 checkout <under load>",
                          "S8 admin stays private"}
    assert cases["S3 login works"].find("failure") is not None
    err = cases["S5 checkout <under load>"].find("error")
    assert err is not None and err.get("type") == "ConnectError"
    skip = cases["S8 admin stays private"].find("skipped")
    assert skip is not None and skip.get("message") == "needs --allow-unsafe"
    # The masked exchange is quoted in the failure, control characters made visible.
    text = cases["S3 login works"].findtext("failure") or ""
    assert "HTTP 500" in text and "Authorization: ***" in text and "\\x1b[31m" in text


def test_both_sections_and_illegal_characters() -> None:
    nasty = "nul\x00 bell\x07 vt\x0b ok\ttab ]]> <!-- --> \ud800"
    report = RunReport(
        context=RunContext(command="release"),
        invariants=(InvariantResult(id="x", kind="k", severity=Severity.ERROR,
                                    outcome=Outcome.ERROR, error=nasty),),
        scenarios=(ScenarioResult(
            id="S1", name=nasty, kind="k", outcome=Outcome.FAIL, failures=(nasty,),
            steps=(StepResult(name="s", outcome=Outcome.FAIL,
                              exchange=Exchange(method="GET", url="/", status=200,
                                                response_body=nasty)),)),),
    )
    root = parse(report)
    assert [s.get("name") for s in root.findall("testsuite")] == ["verify", "smoke"]
    assert totals(root) == (2, 1, 1)
    error = root.find("./testsuite/testcase/error")
    assert error is not None
    assert error.get("message") == "nul\\x00 bell\\x07 vt\\x0b ok\ttab ]]> <!-- --> \\xd800"


def test_empty_verify_still_has_its_suite() -> None:
    root = parse(RunReport(context=RunContext(command="verify")))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "verify" and counts(suite) == (0, 0, 0, 0)


def test_a_logs_run_is_the_logs_suite() -> None:
    root = parse(logs_report())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "logs"
    assert {c.get("classname") for c in suite.findall("testcase")} == {
        "truthgate.logs.forbidden_log_pattern", "truthgate.logs.error_loop"}

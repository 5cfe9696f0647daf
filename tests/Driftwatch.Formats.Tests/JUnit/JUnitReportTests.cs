using Driftwatch.Core.Scoring;
using Driftwatch.Formats.JUnit;
using Shouldly;

namespace Driftwatch.Formats.Tests.JUnit;

public sealed class JUnitReportTests
{
    [Fact]
    public void Counts_pytest_style_report_with_failures_errors_and_skips()
    {
        const string xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <testsuites><testsuite name="pytest" tests="5">
              <testcase classname="t" name="a"/>
              <testcase classname="t" name="b"><failure message="boom"/></testcase>
              <testcase classname="t" name="c"><error message="crash"/></testcase>
              <testcase classname="t" name="d"><skipped/></testcase>
              <testcase classname="t" name="e"><system-out>ok</system-out></testcase>
            </testsuite></testsuites>
            """;

        var counts = JUnitReport.TryParse(xml)!;

        counts.ShouldBe(new JUnitCounts(Total: 5, Passed: 2, Failed: 2, Skipped: 1));
        counts.Counted.ShouldBe(4);
    }

    [Fact]
    public void Counts_node_test_reporter_output_with_nested_suites()
    {
        // node --test --test-reporter=junit nests describe() blocks as testsuite elements.
        const string xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <testsuites>
              <testsuite name="parser">
                <testcase name="ok" time="0.001" classname="test"/>
                <testsuite name="edge cases">
                  <testcase name="bad" time="0.001" classname="test" failure="1 == 2"><failure type="testCodeFailure" message="1 == 2">x</failure></testcase>
                </testsuite>
              </testsuite>
              <!-- tests 2 -->
            </testsuites>
            """;

        JUnitReport.TryParse(xml).ShouldBe(new JUnitCounts(2, 1, 1, 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml at all")]
    [InlineData("<html><body/></html>")]
    [InlineData("<testsuites><testcase name='a'>")]
    public void Returns_null_for_anything_that_is_not_a_junit_report(string xml) =>
        JUnitReport.TryParse(xml).ShouldBeNull();
}

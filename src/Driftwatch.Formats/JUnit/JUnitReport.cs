using System.Xml;
using System.Xml.Linq;
using Driftwatch.Core.Scoring;

namespace Driftwatch.Formats.JUnit;

/// <summary>
/// Reads JUnit XML as written by pytest --junitxml, node --test --test-reporter=junit, the JUnit
/// loggers of dotnet test and our own support runners: every &lt;testcase&gt;, wherever nested,
/// fails when it holds &lt;failure&gt; or &lt;error&gt;, is skipped when it holds &lt;skipped&gt;.
/// </summary>
public static class JUnitReport
{
    /// <summary>The class name under which Driftwatch's runners report on the run itself.</summary>
    public const string RunnerClass = "driftwatch";

    public static JUnitCounts? TryParse(string xml)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(xml, LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }
        var root = document.Root;
        if (root is null || root.Name.LocalName is not ("testsuites" or "testsuite"))
            return null;
        int total = 0, failed = 0, skipped = 0;
        string? note = null;
        foreach (var testCase in root.DescendantsAndSelf().Where(e => e.Name.LocalName == "testcase"))
        {
            if ((string?)testCase.Attribute("classname") == RunnerClass)
                note ??= (string?)testCase.Attribute("name");
            total++;
            var children = testCase.Elements().Select(e => e.Name.LocalName).ToList();
            if (children.Contains("failure") || children.Contains("error"))
                failed++;
            else if (children.Contains("skipped"))
                skipped++;
        }
        return new JUnitCounts(total, total - failed - skipped, failed, skipped) { RunnerNote = note };
    }
}

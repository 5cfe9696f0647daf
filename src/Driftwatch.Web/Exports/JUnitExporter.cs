using System.Globalization;
using System.Text;
using System.Xml;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Exports;

/// <summary>
/// JUnit XML as CI systems read it: a &lt;testsuite&gt; per run, a &lt;testcase&gt; per trial;
/// fail and timeout are &lt;failure&gt;, an infrastructure error is &lt;error&gt; (not the model's fault).
/// A flagged trial carries its flags and served models as testcase properties (as pytest's
/// record_property writes them), and each run counts its flagged trials in its properties.
/// </summary>
internal sealed class JUnitExporter : IExporter
{
    public string Name => "junit";

    public string MediaType => "application/xml";

    public void Write(ExportData data, TextWriter writer)
    {
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "driftwatch");
            var all = data.Runs.SelectMany(r => r.Tasks.SelectMany(t => t.Trials)).ToList();
            Counts(xml, all);
            foreach (var view in data.Runs)
            {
                var run = view.Run;
                var trials = view.Tasks.SelectMany(t => t.Trials).ToList();
                xml.WriteStartElement("testsuite");
                xml.WriteAttributeString("name", Clean($"{run.Agent} on {run.Suite} (run {run.Id})"));
                xml.WriteAttributeString("id", I(run.Id));
                xml.WriteAttributeString("timestamp", run.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
                Counts(xml, trials);
                xml.WriteStartElement("properties");
                Property(xml, "agent", run.Agent);
                Property(xml, "agentVersion", run.Fingerprint.AgentVersion);
                Property(xml, "models", string.Join(",", run.Fingerprint.Models));
                Property(xml, "suite", run.Suite);
                Property(xml, "suiteRevision", run.SuiteRevision);
                Property(xml, "passRate", run.Summary.PassRate?.ToString("0.####", CultureInfo.InvariantCulture));
                if (data.VerdictOf(run.Agent, run.Suite) is { } verdict)
                    Property(xml, "verdict", verdict.Status.ToString().ToLowerInvariant());
                var flagged = FlagCounts.Of(trials);
                Property(xml, "suspectTrials", I(flagged.Suspect));
                Property(xml, "fallbackTrials", I(flagged.Fallback));
                Property(xml, "refusedTrials", I(flagged.Refusal));
                xml.WriteEndElement();
                foreach (var t in trials)
                {
                    xml.WriteStartElement("testcase");
                    xml.WriteAttributeString("classname", Clean($"{run.Suite}.{t.Category.ToString().ToLowerInvariant()}"));
                    xml.WriteAttributeString("name", Clean($"{t.TaskId}#{t.TrialIndex}"));
                    xml.WriteAttributeString("time", Seconds(t.DurationMs));
                    if (!t.Flags.IsDefaultOrEmpty)
                    {
                        xml.WriteStartElement("properties");
                        foreach (var flag in t.Flags)
                            Property(xml, "flag", flag);
                        foreach (var model in t.ServedModels)
                            Property(xml, "servedModel", model);
                        xml.WriteEndElement();
                    }
                    switch (t.Outcome)
                    {
                        case TrialOutcome.Fail:
                            xml.WriteStartElement("failure");
                            xml.WriteAttributeString("type", "fail");
                            xml.WriteAttributeString("message", Clean($"{t.TestsPassed}/{t.TestsTotal} hidden tests passed"));
                            xml.WriteEndElement();
                            break;
                        case TrialOutcome.Timeout:
                            xml.WriteStartElement("failure");
                            xml.WriteAttributeString("type", "timeout");
                            xml.WriteAttributeString("message", Clean($"timed out ({t.TestsPassed}/{t.TestsTotal} hidden tests passed)"));
                            xml.WriteEndElement();
                            break;
                        case TrialOutcome.Error:
                            xml.WriteStartElement("error");
                            xml.WriteAttributeString("type", Clean(t.ErrorKind ?? "error"));
                            xml.WriteAttributeString("message", Clean(t.ErrorMessage ?? "infrastructure error (not counted as a model failure)"));
                            xml.WriteEndElement();
                            break;
                    }
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Write("\n");
    }

    private static void Counts(XmlWriter xml, List<Trial> trials)
    {
        xml.WriteAttributeString("tests", I(trials.Count));
        xml.WriteAttributeString("failures", I(trials.Count(t => t.Outcome is TrialOutcome.Fail or TrialOutcome.Timeout)));
        xml.WriteAttributeString("errors", I(trials.Count(t => t.Outcome == TrialOutcome.Error)));
        xml.WriteAttributeString("skipped", "0");
        xml.WriteAttributeString("time", Seconds(trials.Sum(t => t.DurationMs)));
    }

    private static void Property(XmlWriter xml, string name, string? value)
    {
        if (value is null)
            return;
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", Clean(value));
        xml.WriteEndElement();
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot hold (control characters from agent output).</summary>
    private static string Clean(string text) =>
        string.Concat(text.Where(c => c is '\t' or '\n' or '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF)));
}

using Driftwatch.Core.Scheduling;
using Driftwatch.Testing;
using Shouldly;
using YamlDotNet.RepresentationModel;

namespace Driftwatch.Cli.Tests.Docs;

/// <summary>
/// The GitHub Actions workflow and the systemd units in docs/ are what people copy: their syntax
/// and structure are checked, and every `driftwatch …` command in them must parse against the
/// real command tree.
/// </summary>
public sealed class DeploymentDocsTests
{
    private static string Doc(params string[] parts) => Path.Combine([RepositoryPaths.Root, "docs", .. parts]);

    private static YamlMappingNode Workflow()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Doc("ci", "driftwatch.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : throw new ShouldAssertException($"no '{key}' in the workflow");

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)At(node, key)).Value!;

    private static bool Has(YamlNode node, string key) => ((YamlMappingNode)node).Children.ContainsKey(new YamlScalarNode(key));

    private static List<YamlMappingNode> Steps() =>
        [.. ((YamlSequenceNode)At(((YamlMappingNode)At(Workflow(), "jobs")).Children.Values.Single(), "steps")).Children.Cast<YamlMappingNode>()];

    [Fact]
    public void The_workflow_runs_daily_on_a_valid_cron_and_by_hand()
    {
        var on = At(Workflow(), "on");

        var crons = ((YamlSequenceNode)At(on, "schedule")).Children.Select(c => Scalar(c, "cron")).ToList();
        crons.Count.ShouldBe(1);
        CronSchedule.TryParse(crons[0], TimeZoneInfo.Utc, out var problem).ShouldNotBeNull(problem);
        var slots = CronSchedule.TryParse(crons[0], TimeZoneInfo.Utc, out _)!.CountBetween(
            new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 8, 0, 0, 0, TimeSpan.Zero));
        slots.ShouldBe(7, "once a day");
        Has(on, "workflow_dispatch").ShouldBeTrue();
    }

    [Fact]
    public void The_workflow_restores_the_database_before_the_run_and_keeps_it_afterwards_even_on_a_degradation()
    {
        // Given the steps in order
        var steps = Steps();
        int Index(Func<YamlMappingNode, bool> match) => steps.FindIndex(s => match(s));
        bool Uses(YamlMappingNode step, string action) => Has(step, "uses") && Scalar(step, "uses").StartsWith(action + "@", StringComparison.Ordinal);
        bool Runs(YamlMappingNode step, string text) => Has(step, "run") && Scalar(step, "run").Contains(text, StringComparison.Ordinal);

        var restore = Index(s => Uses(s, "actions/cache/restore"));
        var run = Index(s => Runs(s, "driftwatch schedule --once"));
        var save = Index(s => Uses(s, "actions/cache/save"));
        var upload = Index(s => Uses(s, "actions/upload-artifact"));
        var summary = Index(s => Runs(s, "driftwatch export --format markdown >> \"$GITHUB_STEP_SUMMARY\""));

        // Then the database is restored first, and saved, uploaded and summarised after the run, whatever its exit code
        new[] { restore, run, save, upload, summary }.ShouldAllBe(i => i >= 0);
        restore.ShouldBeLessThan(run);
        new[] { save, upload, summary }.ShouldAllBe(i => i > run);
        foreach (var after in new[] { save, upload, summary })
            Scalar(steps[after], "if").ShouldBe("always()");
        Scalar(steps[run], "run").ShouldContain("--fail-on-degradation");

        // And the cached and uploaded paths hold the database the workflow points DRIFTWATCH_DB at
        var database = Scalar(At(Workflow(), "env"), "DRIFTWATCH_DB");
        database.ShouldEndWith("/.driftwatch/driftwatch.db");
        Scalar(At(steps[restore], "with"), "path").ShouldBe(".driftwatch");
        Scalar(At(steps[save], "with"), "path").ShouldBe(".driftwatch");
        Scalar(At(steps[save], "with"), "key").ShouldBe(Scalar(At(steps[restore], "with"), "key"));
        Scalar(At(steps[restore], "with"), "restore-keys").ShouldNotBeNullOrWhiteSpace();
        Scalar(At(steps[upload], "with"), "path").ShouldBe(".driftwatch/driftwatch.db");
    }

    [Fact]
    public void Every_driftwatch_command_in_the_workflow_parses_against_the_command_tree()
    {
        var commands = Steps().Where(s => Has(s, "run")).SelectMany(s => CommandLines.DriftwatchCommands(Scalar(s, "run"))).ToList();

        commands.Select(c => c[0]).ShouldBe(["schedule", "export"], ignoreOrder: true);
        foreach (var command in commands)
            CommandLines.Parse(command).Problem.ShouldBeNull($"driftwatch {string.Join(' ', command)}");
    }

    /// <summary>A systemd unit as section → key → values (a key may repeat).</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> Unit(string name)
    {
        var sections = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? section = null;
        var lines = File.ReadAllLines(Doc("systemd", name));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = [];
                sections.TryAdd(line[1..^1], section).ShouldBeTrue($"{name}: section {line} twice");
                continue;
            }
            section.ShouldNotBeNull($"{name}:{i + 1}: a key before any section");
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            equals.ShouldBeGreaterThan(0, $"{name}:{i + 1}: not 'Key=value': {line}");
            var key = line[..equals].Trim();
            key.ShouldMatch("^[A-Za-z][A-Za-z0-9]*$", $"{name}:{i + 1}");
            if (!section.TryGetValue(key, out var values))
                section[key] = values = [];
            values.Add(line[(equals + 1)..].Trim());
        }
        return sections;
    }

    // The keys these units may use, per section (systemd.unit(5), systemd.service(5), systemd.exec(5), systemd.kill(5), systemd.timer(5)).
    private static readonly Dictionary<string, string[]> KnownKeys = new(StringComparer.Ordinal)
    {
        ["Unit"] = ["Description", "Documentation", "Wants", "Requires", "After", "Before"],
        ["Service"] = ["Type", "User", "Group", "WorkingDirectory", "Environment", "EnvironmentFile", "ExecStart", "KillSignal", "KillMode",
            "TimeoutStopSec", "TimeoutStartSec", "SuccessExitStatus", "Restart", "RestartSec", "Nice"],
        ["Timer"] = ["OnCalendar", "RandomizedDelaySec", "Persistent", "Unit", "AccuracySec"],
        ["Install"] = ["WantedBy", "RequiredBy"],
    };

    [Theory]
    [InlineData("driftwatch.service", "oneshot", true)]
    [InlineData("driftwatch-scheduler.service", "simple", false)]
    public void The_services_use_known_keys_stop_on_SIGTERM_and_call_a_command_that_parses(string file, string type, bool once)
    {
        var unit = Unit(file);

        unit.Keys.ShouldBe(["Unit", "Service", "Install"], ignoreOrder: true);
        foreach (var (section, keys) in unit)
            keys.Keys.ShouldAllBe(k => KnownKeys[section].Contains(k));
        var service = unit["Service"];
        service["Type"].ShouldBe([type]);
        service["KillSignal"].ShouldBe(["SIGTERM"]);
        service["SuccessExitStatus"].ShouldContain("130");
        service["Environment"].ShouldContain(e => e.StartsWith("DRIFTWATCH_DB=/", StringComparison.Ordinal));
        unit["Install"]["WantedBy"].ShouldBe(["multi-user.target"]);

        // ExecStart takes an absolute program path, and its driftwatch command parses
        var exec = service["ExecStart"].Single();
        exec.ShouldStartWith("/");
        var command = CommandLines.DriftwatchCommands(exec).Single();
        command[0].ShouldBe("schedule");
        command.Contains("--once").ShouldBe(once);
        CommandLines.Parse(command).ShouldBe(("schedule", null));
    }

    [Fact]
    public void The_timer_starts_the_oneshot_service_daily_and_catches_up_after_downtime()
    {
        var unit = Unit("driftwatch.timer");

        unit.Keys.ShouldBe(["Unit", "Timer", "Install"], ignoreOrder: true);
        foreach (var (section, keys) in unit)
            keys.Keys.ShouldAllBe(k => KnownKeys[section].Contains(k));
        var timer = unit["Timer"];
        timer["Unit"].ShouldBe(["driftwatch.service"]);
        File.Exists(Doc("systemd", timer["Unit"][0])).ShouldBeTrue();
        timer["Persistent"].ShouldBe(["true"]);
        // *-*-* HH:MM:SS [zone]: every day at one time
        timer["OnCalendar"].Single().ShouldMatch(@"^\*-\*-\* ([01]\d|2[0-3]):[0-5]\d:[0-5]\d( UTC)?$");
        unit["Install"]["WantedBy"].ShouldBe(["timers.target"]);
    }

    [Fact]
    public void The_command_line_check_itself_rejects_what_the_CLI_rejects()
    {
        // The checks above would pass vacuously if parsing accepted anything.
        CommandLines.Parse(["schedule", "--once", "--fail-on-degradation"]).ShouldBe(("schedule", null));
        CommandLines.Parse(["schedule", "--fail-on-degradation"]).Problem.ShouldNotBeNull();
        CommandLines.Parse(["schedule", "--no-such-flag"]).Problem.ShouldNotBeNull();
        CommandLines.Parse(["no-such-command"]).Problem.ShouldNotBeNull();
        CommandLines.DriftwatchCommands("a && driftwatch run --json | jq . # driftwatch in a comment\n/usr/bin/driftwatch check \"--agent\" 'x y'\ndotnet tool install driftwatch")
            .ShouldBe([["run", "--json"], ["check", "--agent", "x y"]]);
    }
}

using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Simulation;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class SimulateSettings : CommandSettings
{
    [CommandOption("--scenario <NAMES>")]
    [Description("null, step, drift, sparse, outage, or all (comma-separated); tokens, behaviour and lint add the signal scenarios of docs/signals.md (with their own null run of the combined verdict). Default: all")]
    public string Scenario { get; init; } = "all";

    [CommandOption("--delta <D>")]
    [Description("Drop(s) in suite-mean pass rate for step (comma-separated). Default: 0.03,0.05,0.10")]
    public string Delta { get; init; } = "0.03,0.05,0.10";

    [CommandOption("--drift-delta <D>")]
    [Description("Drop reached by the drift after 60 days. Default: 0.10")]
    public double DriftDelta { get; init; } = 0.10;

    [CommandOption("--tau <T>")]
    [Description("SD of the daily logit shock (comma-separated for several). Default: 0")]
    public string Tau { get; init; } = "0";

    [CommandOption("--reps <R>")]
    [Description("Replicates per change scenario (null gets twice as many). Default: 2000")]
    public int Reps { get; init; } = 2000;

    [CommandOption("--null-reps <R>")]
    [Description("Replicates of the null scenario. Default: twice --reps")]
    public int? NullReps { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Seed; the same seed gives the same table. Default: 1")]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--tasks <N>")]
    [Description("Tasks in each synthetic suite. Default: 50")]
    public int Tasks { get; init; } = 50;

    [CommandOption("--trials <K>")]
    [Description("Trials per task per day (the daily budget is tasks × K). Default: 1")]
    public int Trials { get; init; } = 1;

    [CommandOption("--baseline-days <B>")]
    [Description("Baseline days before monitoring. Default: 30")]
    public int BaselineDays { get; init; } = 30;

    [CommandOption("--allocation <MODE>")]
    [Description("uniform (every task K times) or adaptive (the same budget, spent where it tells most). Default: uniform")]
    public string Allocation { get; init; } = "uniform";

    [CommandOption("--detector <NAMES>")]
    [Description("Detector names, comma-separated (docs/detection.md lists them; an unknown name lists them all). Default: cusum,ewma,tracker-windows")]
    public string Detector { get; init; } = "cusum,ewma,tracker-windows";

    [CommandOption("--guarantee <P>")]
    [Description("Confidence that the ARL0 holds for the baseline actually observed, not only on average over baselines (0: on average). Default: 0.75")]
    public double Guarantee { get; init; } = 0.75;

    [CommandOption("--arl0 <DAYS>")]
    [Description("False-alarm budget the detectors are calibrated to. Default: 365")]
    public double Arl0 { get; init; } = 365;

    [CommandOption("--target-drop <D>")]
    [Description("The drop the CUSUM is tuned for. Default: 0.03")]
    public double TargetDrop { get; init; } = 0.03;

    [CommandOption("--clip <SD>")]
    [Description("Daily evidence is clipped to ±SD standard deviations. Default: 3")]
    public double Clip { get; init; } = 3;

    [CommandOption("--token-change <R>")]
    [Description("Relative change of output tokens in the tokens and behaviour scenarios. Default: -0.30")]
    public double TokenChange { get; init; } = -0.30;

    [CommandOption("--behaviour-drop <D>")]
    [Description("Step down of the pass rate in the behaviour scenario. Default: 0.03")]
    public double BehaviourDrop { get; init; } = 0.03;

    [CommandOption("--lint-change <F>")]
    [Description("Lint findings added per trial, on average, in the lint scenario. Default: 0.3")]
    public double LintChange { get; init; } = 0.3;

    [CommandOption("-p|--parallel <N>")]
    [Description("Threads. Default: number of cores")]
    public int? Parallel { get; init; }

    [CommandOption("--json")]
    [Description("Print the results as JSON")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Reps < 1 || NullReps is < 1)
            return ValidationResult.Error("--reps: must be at least 1");
        if (Tasks < 5)
            return ValidationResult.Error("--tasks: must be at least 5");
        if (Trials < 1)
            return ValidationResult.Error("--trials: must be at least 1");
        if (BaselineDays < 5)
            return ValidationResult.Error("--baseline-days: must be at least 5");
        if (Guarantee is < 0 or >= 1)
            return ValidationResult.Error("--guarantee: must be from 0 up to (not including) 1");
        if (Arl0 < 10)
            return ValidationResult.Error("--arl0: must be at least 10 days");
        if (TargetDrop is <= 0 or >= 0.5)
            return ValidationResult.Error("--target-drop: must be between 0 and 0.5");
        return Parallel is < 1 ? ValidationResult.Error("--parallel: must be at least 1") : ValidationResult.Success();
    }
}

/// <summary>`simulate`: the detector benchmark on the reference model of docs/detection.md.</summary>
internal sealed class SimulateCommand(CliContext cli) : Command<SimulateSettings>
{
    public override int Execute(CommandContext context, SimulateSettings settings, CancellationToken cancellationToken)
    {
        var (options, signals) = AllOptions(settings);
        var clock = Stopwatch.StartNew();
        var results = options.Scenarios.Count == 0 ? [] : DetectorBenchmark.Run(options, null, cancellationToken).ToList();
        if (signals is not null)
            results.AddRange(SignalBenchmark.Run(signals, cancellationToken));
        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(results));
            return ExitCodes.Ok;
        }
        cli.Out.MarkupLine($"[bold]Detector benchmark[/] · reference model: {options.Tasks} tasks × {options.TrialsPerTask} trial(s) a day ({options.Allocation.ToString().ToLowerInvariant()} allocation), " +
            $"{options.BaselineDays}-day baseline, ARL0 target {options.Detector.Arl0:0} days, tuned for a {options.Detector.TargetDrop:0.00} drop · seed {options.Seed}");
        foreach (var group in results.GroupBy(r => r.Detector))
        {
            var table = new Table().Border(TableBorder.Simple).Title($"[bold]{group.Key}[/]")
                .AddColumn("scenario").AddColumn(new TableColumn("τ").RightAligned()).AddColumn(new TableColumn("reps").RightAligned())
                .AddColumn(new TableColumn("ARL0 (days)").RightAligned()).AddColumn(new TableColumn("false alarm within 30 days").RightAligned()).AddColumn(new TableColumn("within a year").RightAligned())
                .AddColumn(new TableColumn("mean delay").RightAligned()).AddColumn(new TableColumn("median delay").RightAligned())
                .AddColumn(new TableColumn("found within 7 days").RightAligned()).AddColumn(new TableColumn("alarm before change").RightAligned());
            foreach (var row in group)
            {
                var label = row.Delta is { } d ? $"{row.Scenario} d={d.ToString("0.00", CultureInfo.InvariantCulture)}" : row.Scenario;
                var within7 = row.Scenario == "outage"
                    ? (row.AlarmWithin3Share is { } a ? $"{RunReport.Percent(a)} within 3 days" : "–")
                    : RunReport.Percent(row.DetectedWithin7Share);
                table.AddRow(label, row.Tau.ToString("0.##", CultureInfo.InvariantCulture), row.Reps.ToString(CultureInfo.InvariantCulture),
                    Number(row.Arl0, "0"), RunReport.Percent(row.FalseAlarm30Share), RunReport.Percent(row.FalseAlarmYearShare), Number(row.MeanDelay, "0.0"), Number(row.MedianDelay, "0.#"),
                    within7, RunReport.Percent(row.FalseAlarmBeforeChangeShare));
            }
            cli.Out.Write(table);
        }
        if (signals is not null)
        {
            cli.Out.MarkupLine($"[grey]tokens: output tokens {signals.TokenChange:+0%;-0%} from day {options.ChangeDay}; behaviour: the same with a {signals.BehaviourDrop:0.00} pass-rate step; " +
                $"lint: {signals.LintChange:+0.0;-0.0} lint findings per trial · cusum: the pass rate alone with the whole ARL0; combined: the pass rate at half the alarm rate, output tokens and lint findings at a quarter each, an alarm of any counts; " +
                $"outputTokens, lintBeyondReference: each signal alone at its quarter (docs/signals.md)[/]");
        }
        cli.Out.MarkupLine($"[grey]{RunReport.Seconds(clock.ElapsedMilliseconds)} on {options.Parallelism} threads · delays count the first changed day as 1; runs that alarmed before the change are left out of them[/]");
        return ExitCodes.Ok;
    }

    /// <summary>The reference benchmark's options and, when tokens, behaviour or lint is asked for, the signal scenarios' (whose null run is their own).</summary>
    public static (SimulationOptions Reference, SignalSimulationOptions? Signals) AllOptions(SimulateSettings settings)
    {
        var names = settings.Scenario.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var signalScenarios = names.Select(SignalScenarioNames.TryParse).OfType<SignalScenario>().Distinct().ToList();
        var rest = names.Where(n => SignalScenarioNames.TryParse(n) is null).ToList();
        var reference = Options(settings, string.Join(',', rest), allowNone: signalScenarios.Count > 0);
        if (signalScenarios.Count == 0)
            return (reference, null);
        if (settings.TokenChange is <= -1 or > 10)
            throw new Core.InvalidInputException("--token-change: must be above -1 (a relative change)");
        if (settings.LintChange is < 0 or > 100)
            throw new Core.InvalidInputException("--lint-change: must be between 0 and 100 findings per trial");
        return (reference, new SignalSimulationOptions
        {
            Reference = reference,
            Scenarios = signalScenarios,
            TokenChange = settings.TokenChange,
            BehaviourDrop = settings.BehaviourDrop,
            LintChange = settings.LintChange,
        });
    }

    public static SimulationOptions Options(SimulateSettings settings) => Options(settings, settings.Scenario, allowNone: false);

    private static SimulationOptions Options(SimulateSettings settings, string scenario, bool allowNone)
    {
        var scenarios = scenario.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? new SimulationOptions().Scenarios
            : allowNone && scenario.Length == 0 ? []
            : scenario.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ScenarioNames.Parse).ToList();
        return new SimulationOptions
        {
            Scenarios = scenarios,
            StepDeltas = Numbers(settings.Delta, "--delta", 0.001, 0.5),
            DriftDelta = settings.DriftDelta,
            Taus = Numbers(settings.Tau, "--tau", 0, 2),
            ChangeReps = settings.Reps,
            NullReps = settings.NullReps ?? 2 * settings.Reps,
            Seed = settings.Seed,
            Tasks = settings.Tasks,
            TrialsPerTask = settings.Trials,
            BaselineDays = settings.BaselineDays,
            Allocation = settings.Allocation.ToLowerInvariant() switch
            {
                "uniform" => AllocationMode.Uniform,
                "adaptive" => AllocationMode.Adaptive,
                _ => throw new Core.InvalidInputException($"--allocation: unknown mode '{settings.Allocation}' (expected uniform or adaptive)"),
            },
            Detectors = settings.Detector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(DetectorCatalog.Find).Distinct().ToList(),
            Detector = new DetectorOptions { Arl0 = settings.Arl0, Guarantee = settings.Guarantee, TargetDrop = settings.TargetDrop, EvidenceClip = settings.Clip },
            Parallelism = settings.Parallel ?? Environment.ProcessorCount,
        };
    }

    private static List<double> Numbers(string text, string flag, double min, double max)
    {
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw new Core.InvalidInputException($"{flag}: '{part}' is not a number from {min} to {max}");
            values.Add(value);
        }
        return values.Count > 0 ? values : throw new Core.InvalidInputException($"{flag}: no value given");
    }

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}

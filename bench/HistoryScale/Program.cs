// A history at scale (issue #20), driven by bench/history-scale.sh.
//
//   build:   HistoryScale --trials N --out DB --source DEMO_DB [--writers W] [--seed S] [--end YYYY-MM-DD]
//            N trials made of the real trials of a `driftwatch demo` database (outcome, partial
//            credit, usage, metrics, transcript, agent output, diff, test output), written into a
//            fresh database through the store's own write API, as `driftwatch run` writes them:
//            CreateRunAsync, RecordTrialAsync per trial (one transaction each, artifacts Brotli-
//            compressed by the store), FinishRunAsync. 5 agents × 2 suites, one run per agent ×
//            suite per day for 730 days up to --end; each history has a stable pass rate per task
//            and two of the ten drop by 10 points from a day in their last 130 days.
//   measure: HistoryScale --measure DB --cli CLI_DLL [--runs-each K] [--cli-runs K] [--budget-s S] [--out-md FILE]
//            starts `driftwatch serve --db DB` on a free loopback port, times every page and /api/
//            endpoint (sequential, one warm-up each, then K requests, or as many as S seconds allow
//            but at least 5), then the CLI commands, the
//            raw SQLite queries behind check and export, and the database's size. Prints a
//            Markdown table (and writes it to --out-md).
using System.Globalization;
using Driftwatch.Bench.HistoryScale;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
int IntOption(string name, int fallback) => Option(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

if (Option("--measure") is { } measured)
{
    var cli = Option("--cli") ?? throw new ArgumentException("--measure needs --cli PATH (the built Driftwatch.Cli.dll)");
    return await Measure.RunAsync(measured, cli, IntOption("--runs-each", 20), IntOption("--cli-runs", 5), IntOption("--budget-s", 60), Option("--out-md"));
}
if (Option("--trials") is { } trials && Option("--out") is { } output && Option("--source") is { } source)
{
    var end = Option("--end") is { } e ? DateOnly.ParseExact(e, "yyyy-MM-dd", CultureInfo.InvariantCulture) : new DateOnly(2026, 6, 30);
    return await Build.RunAsync(long.Parse(trials, CultureInfo.InvariantCulture), output, source,
        IntOption("--writers", 1), (ulong)IntOption("--seed", 20), end);
}
Console.Error.WriteLine("usage: HistoryScale --trials N --out DB --source DEMO_DB [--writers W] [--seed S] [--end YYYY-MM-DD]");
Console.Error.WriteLine("       HistoryScale --measure DB --cli CLI_DLL [--runs-each K] [--cli-runs K] [--budget-s S] [--out-md FILE]");
return 2;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Driftwatch.Core.Runs;
using Driftwatch.Storage;
using Driftwatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Bench.HistoryScale;

/// <summary>One row of the table.</summary>
internal sealed record Row(string What, double? Median, double? P95, double? First, string Size, string Target, string Met, int? Count = null);

internal static class Measure
{
    private const double PageTargetMs = 50;
    private const double CheckTargetMs = 1000;
    private const double ExportTargetRatio = 2;
    private const double BytesPerTrialTarget = 1024;

    public static async Task<int> RunAsync(string db, string cli, int runsEach, int cliRuns, double budgetSeconds, string? outMd)
    {
        db = Path.GetFullPath(db);
        cli = Path.GetFullPath(cli);
        if (!File.Exists(db))
        {
            Console.Error.WriteLine($"{db}: no such database");
            return 2;
        }
        // Commands run in an empty folder, so that no driftwatch.yaml around the caller is read.
        var cwd = Directory.CreateTempSubdirectory("driftwatch-history-scale-").FullName;
        var rows = new List<Row>();
        var notes = new List<string>();
        try
        {
            var target = await PickAsync(db);
            Build.Log($"measuring {db}: {target.Runs:N0} runs; series {target.Agent} × {target.Suite}, run {target.RunId}, task {target.Task}#{target.Index}");
            notes.Add($"{target.Runs:N0} runs; the series measured is {target.Agent} × {target.Suite}, its latest run {target.RunId}, task {target.Task}, trial {target.Task}#{target.Index}.");

            await MeasureServeAsync(db, cli, cwd, target, runsEach, budgetSeconds, rows, notes);
            await MeasureCliAsync(db, cli, cwd, target, cliRuns, rows);
            MeasureSize(db, rows, notes);
        }
        finally
        {
            Directory.Delete(cwd, recursive: true);
        }

        var table = new StringBuilder();
        table.AppendLine("| what | median (ms) | p95 (ms) | first (ms) | n | size / ratio | target | met? |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var row in rows)
            table.AppendLine($"| {row.What} | {Ms(row.Median)} | {Ms(row.P95)} | {Ms(row.First)} | {row.Count} | {row.Size} | {row.Target} | {row.Met} |");
        table.AppendLine();
        foreach (var note in notes)
            table.AppendLine("- " + note);
        Console.WriteLine(table.ToString());
        if (outMd is not null)
            await File.WriteAllTextAsync(outMd, table.ToString());
        return 0;
    }

    private sealed record Target(int Runs, string Agent, string Suite, long RunId, string Task, int Index);

    /// <summary>The history measured: the first series of the build (it has a drop), its latest run and that run's first trial.</summary>
    private static async Task<Target> PickAsync(string db)
    {
        using var store = StoreFactory.Of(SqliteResultStore.OpenForReading(db));
        var runs = await store.Runs.ListRunsAsync(new RunQuery());
        var first = runs.OrderBy(r => r.Id).First();
        var latest = runs.Where(r => r.Agent == first.Agent && r.Suite == first.Suite).MaxBy(r => r.Id)!;
        var trial = (await store.Trials.GetTrialsAsync(latest.Id)).OrderBy(t => t.Sequence).First();
        return new Target(runs.Count, first.Agent, first.Suite, latest.Id, trial.TaskId, trial.TrialIndex);
    }

    private static async Task MeasureServeAsync(string db, string cli, string cwd, Target t, int runsEach, double budgetSeconds, List<Row> rows, List<string> notes)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { cli, "serve", "--db", db, "--urls", baseUrl })
            start.ArgumentList.Add(a);
        using var serve = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StringBuilder();
        serve.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        serve.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
            var ready = Stopwatch.StartNew();
            while (true)
            {
                if (serve.HasExited)
                    throw new InvalidOperationException($"serve exited ({serve.ExitCode}): {log}");
                try
                {
                    using var response = await http.GetAsync(new Uri("/favicon.ico", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException)
                {
                }
                if (ready.Elapsed > TimeSpan.FromMinutes(5))
                    throw new InvalidOperationException($"serve did not answer within 5 minutes: {log}");
                await Task.Delay(200);
            }
            Build.Log($"serve answers on {baseUrl} after {ready.Elapsed.TotalSeconds:F1} s");
            notes.Add($"`serve` answered its first request {ready.Elapsed.TotalSeconds:F1} s after it was started.");

            var a = Uri.EscapeDataString(t.Agent);
            var s = Uri.EscapeDataString(t.Suite);
            var task = Uri.EscapeDataString(t.Task);
            var endpoints = new (string What, string Path)[]
            {
                ("page: overview", "/"),
                ("page: series (agent × suite)", $"/agents/{a}/{s}"),
                ("page: suite", $"/suites/{s}"),
                ("page: run", $"/runs/{t.RunId}"),
                ("page: task", $"/tasks/{a}/{s}/{task}"),
                ("page: trial (transcript, diff, test output)", $"/runs/{t.RunId}/trials/{task}/{t.Index}"),
                ("/metrics (OpenMetrics)", "/metrics"),
                ("/api/overview", "/api/overview"),
                ("/api/verdicts", "/api/verdicts"),
                ("/api/runs (all)", "/api/runs"),
                ("/api/runs?agent&suite&last=30", $"/api/runs?agent={a}&suite={s}&last=30"),
                ("/api/runs/{id}", $"/api/runs/{t.RunId}"),
                ("/api/runs/{id}/trials/{task}/{index}", $"/api/runs/{t.RunId}/trials/{task}/{t.Index}"),
                ("/api/tasks/{agent}/{suite}/{task}", $"/api/tasks/{a}/{s}/{task}"),
                ("/api/agents/{agent}/{suite}", $"/api/agents/{a}/{s}"),
                ("/api/suites/{suite}", $"/api/suites/{s}"),
            };
            foreach (var (what, path) in endpoints)
            {
                var uri = new Uri(path, UriKind.Relative);
                var times = new List<double>();
                long size = 0;
                var status = HttpStatusCode.OK;
                double first = 0;
                var spent = Stopwatch.StartNew();
                // K timed requests after the warm-up, fewer (at least 5) for an endpoint that has taken more than its time budget.
                for (var i = 0; i <= runsEach && (i <= 5 || spent.Elapsed.TotalSeconds < budgetSeconds); i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await http.GetAsync(uri);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    clock.Stop();
                    size = body.Length;
                    status = response.StatusCode;
                    if (i == 0)
                        first = clock.Elapsed.TotalMilliseconds;
                    else
                        times.Add(clock.Elapsed.TotalMilliseconds);
                }
                var (median, p95) = Stats(times);
                Build.Log($"{what}: median {median:F1} ms, p95 {p95:F1} ms, first {first:F1} ms, n {times.Count}, {size:N0} bytes, {(int)status}");
                rows.Add(new Row($"{what} `{path}`", median, p95, first, status == HttpStatusCode.OK ? Bytes(size) : $"HTTP {(int)status}", "p95 ≤ 50 ms", p95 <= PageTargetMs ? "yes" : "no", times.Count));
            }
        }
        finally
        {
            if (!serve.HasExited)
                serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    private static async Task MeasureCliAsync(string db, string cli, string cwd, Target t, int cliRuns, List<Row> rows)
    {
        var run = t.RunId.ToString(CultureInfo.InvariantCulture);
        var baseline = await TimeCommandAsync(cli, cwd, cliRuns, "--help");
        rows.Add(new Row("CLI: `--help` (process start, no database)", baseline.Median, baseline.P95, baseline.First, Bytes(baseline.Size), "", "", baseline.Count));

        var runs = await TimeCommandAsync(cli, cwd, cliRuns, "runs", "--last", "30", "--db", db);
        rows.Add(new Row("CLI: `runs --last 30`", runs.Median, runs.P95, runs.First, Bytes(runs.Size), "", "", runs.Count));
        var show = await TimeCommandAsync(cli, cwd, cliRuns, "show", run, "--db", db);
        rows.Add(new Row($"CLI: `show {run}` (latest run)", show.Median, show.P95, show.First, Bytes(show.Size), "", "", show.Count));

        var check = await TimeCommandAsync(cli, cwd, cliRuns, "check", "--agent", t.Agent, "--suite", t.Suite, "--db", db);
        var checkRaw = TimeRaw(db, cliRuns, c => CheckQueries(c, t.Agent, t.Suite));
        rows.Add(new Row($"CLI: `check --agent {t.Agent} --suite {t.Suite}` (exit {check.ExitCode})", check.Median, check.P95, check.First,
            $"{Bytes(check.Size)}; {check.Median / checkRaw.Median:F1}× raw", "≤ 1000 ms", check.Median <= CheckTargetMs ? "yes" : "no", check.Count));
        rows.Add(new Row("raw SQL: check's numbers (daily and per-task pass counts, daily metric means of the series)", checkRaw.Median, checkRaw.P95, checkRaw.First, $"{checkRaw.Rows:N0} rows", "", "", checkRaw.Count));

        var exportRaw = TimeRaw(db, cliRuns, ExportQueries);
        foreach (var format in new[] { "json", "openmetrics" })
        {
            var export = await TimeCommandAsync(cli, cwd, cliRuns, "export", "--format", format, "--db", db);
            var ratio = export.Median / exportRaw.Median;
            rows.Add(new Row($"CLI: `export --format {format}` (latest run of each agent × suite)", export.Median, export.P95, export.First,
                $"{Bytes(export.Size)}; {ratio:F1}× raw", "≤ 2× raw", ratio <= ExportTargetRatio ? "yes" : "no", export.Count));
        }
        rows.Add(new Row("raw SQL: export's rows (latest runs' trials and metrics, every series' daily counts and metric means)", exportRaw.Median, exportRaw.P95, exportRaw.First, $"{exportRaw.Rows:N0} rows", "", "", exportRaw.Count));
    }

    private sealed record Timing(double Median, double P95, double First, long Size, int ExitCode, long Rows = 0, int Count = 0);

    private static async Task<Timing> TimeCommandAsync(string cli, string cwd, int runs, params string[] arguments)
    {
        var times = new List<double>();
        double first = 0;
        long size = 0;
        var exit = 0;
        for (var i = 0; i <= runs; i++)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = cwd,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(cli);
            foreach (var a in arguments)
                start.ArgumentList.Add(a);
            start.Environment["COLUMNS"] = "200";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = await stdout;
            var errors = await stderr;
            clock.Stop();
            exit = process.ExitCode;
            if (exit is not (0 or 3))
                throw new InvalidOperationException($"`{string.Join(' ', arguments)}` exited {exit}: {errors}");
            size = Encoding.UTF8.GetByteCount(output);
            if (i == 0)
                first = clock.Elapsed.TotalMilliseconds;
            else
                times.Add(clock.Elapsed.TotalMilliseconds);
        }
        var (median, p95) = Stats(times);
        Build.Log($"`{string.Join(' ', arguments.Where(a => !a.Contains('/', StringComparison.Ordinal)))}`: median {median:F0} ms, p95 {p95:F0} ms, first {first:F0} ms, exit {exit}, {size:N0} bytes");
        return new Timing(median, p95, first, size, exit, Count: times.Count);
    }

    private static Timing TimeRaw(string db, int runs, Func<SqliteConnection, long> queries)
    {
        var times = new List<double>();
        double first = 0;
        long rows = 0;
        for (var i = 0; i <= runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                connection.Open();
                rows = queries(connection);
            }
            clock.Stop();
            if (i == 0)
                first = clock.Elapsed.TotalMilliseconds;
            else
                times.Add(clock.Elapsed.TotalMilliseconds);
        }
        var (median, p95) = Stats(times);
        Build.Log($"raw: median {median:F1} ms, p95 {p95:F1} ms, first {first:F1} ms, {rows:N0} rows");
        return new Timing(median, p95, first, 0, 0, rows, times.Count);
    }

    /// <summary>What check judges one series on: pass counts per day and per task, and the daily means of every metric.</summary>
    private static long CheckQueries(SqliteConnection connection, string agent, string suite)
    {
        var parameters = new (string, object?)[] { ("$agent", agent), ("$suite", suite) };
        return ReadAll(connection, """
                SELECT substr(r.started_at, 1, 10) AS day, sum(t.outcome = 'pass'), sum(t.outcome IN ('pass', 'fail', 'timeout')), count(*)
                FROM runs r JOIN trials t ON t.run_id = r.id
                WHERE r.agent = $agent AND r.suite = $suite GROUP BY day ORDER BY day;
                """, parameters)
            + ReadAll(connection, """
                SELECT t.task_id, sum(t.outcome = 'pass'), count(*)
                FROM runs r JOIN trials t ON t.run_id = r.id
                WHERE r.agent = $agent AND r.suite = $suite GROUP BY t.task_id;
                """, parameters)
            + DailyMetricMeans(connection, "WHERE r.agent = $agent AND r.suite = $suite", parameters);
    }

    /// <summary>
    /// The daily mean of each metric per agent × suite of the runs <paramref name="where"/> selects:
    /// one GROUP BY over trial_metrics in a database from before migration 15; over the packed
    /// trial_metric_sets after it, each set unpacked here (SQLite has no function that reads a
    /// double out of bytes), which is what any reader of those numbers has to do.
    /// </summary>
    private static long DailyMetricMeans(SqliteConnection connection, string where, params (string Name, object? Value)[] parameters)
    {
        if (MetricsTable(connection) == "trial_metrics")
        {
            return ReadAll(connection, $"""
                SELECT r.agent, r.suite, substr(r.started_at, 1, 10) AS day, m.name, avg(m.value), count(*)
                FROM runs r JOIN trial_metrics m ON m.run_id = r.id
                {where} GROUP BY r.agent, r.suite, day, m.name;
                """, parameters);
        }
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT r.agent, r.suite, substr(r.started_at, 1, 10) AS day, m.metrics
            FROM runs r JOIN trial_metric_sets m ON m.run_id = r.id {where};
            """;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        var sums = new Dictionary<(string, string, string, int), (double Sum, long Count)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var bytes = (byte[])reader.GetValue(3);
            var (agent, suite, day) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
            for (var offset = 0; offset + 10 <= bytes.Length; offset += 10)
            {
                var key = (agent, suite, day, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset)));
                var value = System.Buffers.Binary.BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(offset + 2));
                sums[key] = sums.TryGetValue(key, out var sum) ? (sum.Sum + value, sum.Count + 1) : (value, 1);
            }
        }
        return sums.Count;
    }

    /// <summary>What export writes: the latest run of each series with its trials and metrics, and each series' daily numbers for its verdict.</summary>
    private static long ExportQueries(SqliteConnection connection) =>
        ReadAll(connection, """
            SELECT t.* FROM trials t WHERE t.run_id IN (SELECT max(id) FROM runs GROUP BY agent, suite);
            """)
        + ReadAll(connection, $"""
            SELECT m.* FROM {MetricsTable(connection)} m WHERE m.run_id IN (SELECT max(id) FROM runs GROUP BY agent, suite);
            """)
        + ReadAll(connection, """
            SELECT r.agent, r.suite, substr(r.started_at, 1, 10) AS day, sum(t.outcome = 'pass'), sum(t.outcome IN ('pass', 'fail', 'timeout'))
            FROM runs r JOIN trials t ON t.run_id = r.id GROUP BY r.agent, r.suite, day;
            """)
        + DailyMetricMeans(connection, "");

    /// <summary>Where the trials' metrics are: trial_metrics before migration 15, trial_metric_sets after.</summary>
    private static string MetricsTable(SqliteConnection connection)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT 1 FROM sqlite_master WHERE name = 'trial_metrics';";
        return probe.ExecuteScalar() is null ? "trial_metric_sets" : "trial_metrics";
    }

    private static long ReadAll(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        long rows = 0;
        var values = new object[reader.FieldCount];
        while (reader.Read())
        {
            reader.GetValues(values);
            rows++;
        }
        return rows;
    }

    private static void MeasureSize(string db, List<Row> rows, List<string> notes)
    {
        var file = new FileInfo(db).Length;
        var wal = File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
        }
        var trials = Scalar("SELECT count(*) FROM trials;");
        var artifacts = Scalar("SELECT count(*) FROM artifacts;");
        var artifactBytes = Scalar("SELECT sum(length(content)) FROM artifacts;");
        var artifactText = Scalar("SELECT sum(size) FROM artifacts;");
        var distinct = Scalar("SELECT count(*) FROM (SELECT DISTINCT kind, size, length(content) FROM artifacts);");
        var perTrial = (double)(file + wal) / trials;
        var withoutArtifacts = (double)(file + wal - artifactBytes) / trials;
        rows.Add(new Row($"database: {Bytes(file)} + -wal {Bytes(wal)} for {trials:N0} trials", null, null, null,
            $"{perTrial:F0} B/trial", "", ""));
        rows.Add(new Row($"database without the artifacts' compressed bytes ({Bytes(artifactBytes)} in {artifacts:N0} artifacts)", null, null, null,
            $"{withoutArtifacts:F0} B/trial", "≤ 1 KB/trial + deduplicated artifacts", withoutArtifacts <= BytesPerTrialTarget ? "yes" : "no"));
        notes.Add($"Artifacts: {artifacts:N0} rows, {Bytes(artifactText)} of text stored as {Bytes(artifactBytes)} compressed; about {distinct:N0} distinct contents (distinct kind × size × compressed size), so deduplicated they would be a small fraction of that.");
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8;";
            using var reader = command.ExecuteReader();
            var parts = new List<string>();
            while (reader.Read())
                parts.Add($"{reader.GetString(0)} {Bytes(reader.GetInt64(1))}");
            notes.Add("Largest tables and indexes (dbstat): " + string.Join(", ", parts) + ".");
        }
        catch (SqliteException ex)
        {
            notes.Add($"dbstat is not available ({ex.Message}).");
        }
        var folder = Path.Combine(Path.GetDirectoryName(db)!, "artifacts");
        if (Directory.Exists(folder))
            notes.Add($"Artifact folder beside the database: {Bytes(new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length))}.");
    }

    private static (double Median, double P95) Stats(List<double> times)
    {
        if (times.Count == 0)
            return (double.NaN, double.NaN);
        var sorted = times.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        // Nearest rank.
        var p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
        return (median, p95);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Ms(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString(v < 100 ? "F1" : "F0", CultureInfo.InvariantCulture) : "";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };
}

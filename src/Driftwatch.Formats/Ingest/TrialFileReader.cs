using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// The generic file of trials (docs/ingest-formats/generic.md): one trial a record, as JSON Lines or as CSV with a
/// header row, for any harness without a reader of its own. Trials are grouped into runs by agent,
/// suite and run key (the <c>run</c> field, else the trial's date). Unknown fields are refused, so a
/// misspelt column is an error rather than a value silently lost.
/// </summary>
public sealed class TrialFileReader(string format) : IResultReader
{
    public static TrialFileReader JsonLines { get; } = new("jsonl");

    public static TrialFileReader Csv { get; } = new("csv");

    public string Format { get; } = format is "jsonl" or "csv" ? format : throw new ArgumentOutOfRangeException(nameof(format), format, "jsonl or csv");

    /// <summary>Every field a record may have; <c>date</c>, <c>task</c> and <c>outcome</c> are required, and <c>agent</c>/<c>suite</c> unless given on the command line.</summary>
    public static readonly ImmutableArray<string> Fields =
    [
        "date", "agent", "suite", "task", "trial", "outcome", "run", "category", "tests_passed", "tests_total",
        "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_usd", "turns",
        "duration_ms", "agent_version", "model", "error",
    ];

    private static readonly string UnknownField = $"unknown field (the fields are: {string.Join(", ", Fields)})";

    public IReadOnlyList<IngestedRun> Read(string path, IngestOptions options)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidInputException($"{path}: not UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read ({e.Message})", e);
        }
        var records = Format == "jsonl" ? JsonRecords(path, text) : CsvRecords(path, text);
        if (records.Count == 0)
            throw new InvalidInputException($"{path}: no trials in it");
        var rows = records.Select(r => Row.From(path, r.Line, r.Values, options)).ToList();
        return [.. rows
            .GroupBy(r => (r.Agent, r.Suite, r.Run))
            .OrderBy(g => g.Min(r => r.Date))
            .ThenBy(g => g.Key.Agent, StringComparer.Ordinal).ThenBy(g => g.Key.Suite, StringComparer.Ordinal).ThenBy(g => g.Key.Run, StringComparer.Ordinal)
            .Select(g => ToRun(path, g.Key.Agent, g.Key.Suite, g.Key.Run, [.. g]))];
    }

    private IngestedRun ToRun(string path, string agent, string suite, string run, List<Row> rows)
    {
        var key = $"{agent}/{suite}/{run}";
        var trials = new List<IngestedTrial>();
        var next = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new Dictionary<(string, int), int>();
        foreach (var row in rows)
        {
            var index = row.Trial ?? (next.GetValueOrDefault(row.Task) + 1);
            next[row.Task] = Math.Max(next.GetValueOrDefault(row.Task), index);
            if (seen.TryGetValue((row.Task, index), out var firstLine))
                throw InvalidInputException.AtLocation(path, row.Line, "trial", $"task '{row.Task}' trial {index} of run '{key}' is already on line {firstLine}");
            seen[(row.Task, index)] = row.Line;
            trials.Add(new IngestedTrial(row.ToTrial(index, $"{System.IO.Path.GetFileName(path)}:{row.Line}")));
        }
        return new IngestedRun
        {
            Format = Format,
            Key = key,
            Path = path,
            Agent = agent,
            Suite = suite,
            StartedAt = rows.Min(r => r.Date),
            FinishedAt = rows.Max(r => r.Date + TimeSpan.FromMilliseconds(r.DurationMs ?? 0)),
            Trials = trials,
        };
    }

    /// <summary>
    /// ISO 8601 date and time (a space for the T, as RFC 3339 allows), with an offset or Z, else
    /// taken as UTC. Only these: a looser parse would read 02/11/2026 as the 11th of February.
    /// </summary>
    private static readonly string[] IsoDateTimes =
    [
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    private sealed record Record(int Line, Dictionary<string, string?> Values);

    private static List<Record> JsonRecords(string path, string text)
    {
        var records = new List<Record>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw InvalidInputException.AtLocation(path, i + 1, null, $"not a JSON object ({e.Message.Split(". ")[0].TrimEnd('.')})");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw InvalidInputException.AtLocation(path, i + 1, null, "each line must be one JSON object");
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => throw InvalidInputException.AtLocation(path, i + 1, property.Name, $"expected a string or a number, found {property.Value.ValueKind.ToString().ToLowerInvariant()}"),
                    };
                }
                records.Add(new Record(i + 1, values));
            }
        }
        return records;
    }

    /// <summary>RFC 4180 CSV: a header row, quoted fields with "" for a quote, CRLF or LF.</summary>
    private static List<Record> CsvRecords(string path, string text)
    {
        var rows = new List<(int Line, List<string> Cells)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        int line = 1, rowLine = 1;
        var quoted = false;
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                        line++;
                    cell.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (any || cell.Length > 0)
                    {
                        cells.Add(cell.ToString());
                        rows.Add((rowLine, cells));
                    }
                    cells = [];
                    cell.Clear();
                    any = false;
                    line++;
                    rowLine = line;
                    break;
                default:
                    cell.Append(c);
                    any = true;
                    break;
            }
        }
        if (quoted)
            throw InvalidInputException.AtLocation(path, rowLine, null, "a quoted field is never closed (the file is cut short?)");
        if (any || cell.Length > 0)
        {
            cells.Add(cell.ToString());
            rows.Add((rowLine, cells));
        }
        if (rows.Count == 0)
            return [];
        var header = rows[0].Cells.Select(h => h.Trim()).ToList();
        var headerLine = rows[0].Line;
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw InvalidInputException.AtLocation(path, headerLine, duplicate.Key, "column appears twice in the header");
        // A misspelt column is the header's fault: name its line, and refuse it even with no rows under it.
        var unknown = header.FirstOrDefault(h => !Fields.Contains(h));
        if (unknown is not null)
            throw InvalidInputException.AtLocation(path, headerLine, unknown, UnknownField);
        var records = new List<Record>();
        foreach (var (at, row) in rows.Skip(1))
        {
            if (row.Count != header.Count)
                throw InvalidInputException.AtLocation(path, at, null, $"{row.Count} fields, the header has {header.Count}");
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var c = 0; c < header.Count; c++)
                values[header[c]] = row[c].Length == 0 ? null : row[c];
            records.Add(new Record(at, values));
        }
        return records;
    }

    private sealed record Row(int Line, DateTimeOffset Date, string Agent, string Suite, string Run, string Task, int? Trial, TrialOutcome Outcome,
        TaskCategory Category, int? TestsPassed, int? TestsTotal, AgentUsage Usage, long? DurationMs, string? AgentVersion, string? Model, string? Error)
    {
        public static Row From(string path, int line, Dictionary<string, string?> values, IngestOptions options)
        {
            InvalidInputException Bad(string field, string problem) => InvalidInputException.AtLocation(path, line, field, problem);
            foreach (var name in values.Keys)
            {
                if (!Fields.Contains(name))
                    throw Bad(name, UnknownField);
            }
            string? Text(string field) => values.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
            string Required(string field) => Text(field) ?? throw Bad(field, "missing");
            long? Whole(string field)
            {
                if (Text(field) is not { } text)
                    return null;
                return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(field, $"expected a whole number ≥ 0, found '{text}'");
            }

            var dateText = Required("date");
            DateTimeOffset date;
            if (DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                date = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            else if (DateTimeOffset.TryParseExact(dateText, IsoDateTimes, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                date = time.ToUniversalTime();
            else
                throw Bad("date", $"expected a date (2026-11-02) or an ISO 8601 date and time, found '{dateText}'");

            var agent = options.Agent ?? Text("agent") ?? throw Bad("agent", "missing (or pass --agent)");
            var suite = options.Suite ?? Text("suite") ?? throw Bad("suite", "missing (or pass --suite)");
            var outcomeText = Required("outcome");
            TrialOutcome outcome;
            try
            {
                outcome = OutcomeNames.ParseOutcome(outcomeText.ToLowerInvariant());
            }
            catch (FormatException)
            {
                throw Bad("outcome", $"expected pass, fail, timeout or error, found '{outcomeText}'");
            }
            var trial = Whole("trial");
            if (trial is < 1 or > int.MaxValue)
                throw Bad("trial", $"expected a trial number ≥ 1, found {trial}");
            var category = TaskCategory.Other;
            if (Text("category") is { } categoryText)
            {
                category = categoryText == "other" ? TaskCategory.Other
                    : TaskCategoryNames.ByName.TryGetValue(categoryText, out var known) ? known
                    : throw Bad("category", $"expected generation, completion, debugging or other, found '{categoryText}'");
            }
            var passed = Whole("tests_passed");
            var total = Whole("tests_total");
            if (passed is null != total is null)
                throw Bad(passed is null ? "tests_passed" : "tests_total", "tests_passed and tests_total go together");
            if (passed > total)
                throw Bad("tests_passed", $"{passed} passed of {total}");
            if (total > int.MaxValue)
                throw Bad("tests_total", "too large");
            decimal? cost = null;
            if (Text("cost_usd") is { } costText)
            {
                cost = decimal.TryParse(costText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var c) && c >= 0
                    ? c : throw Bad("cost_usd", $"expected an amount ≥ 0, found '{costText}'");
            }
            var turns = Whole("turns");
            return new Row(line, date, agent, suite, Text("run") ?? date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Required("task"),
                (int?)trial, outcome, category, (int?)passed, (int?)total,
                new AgentUsage
                {
                    InputTokens = Whole("input_tokens"),
                    OutputTokens = Whole("output_tokens"),
                    CacheReadTokens = Whole("cache_read_tokens"),
                    CacheWriteTokens = Whole("cache_write_tokens"),
                    CostUsd = cost,
                    Turns = turns is > int.MaxValue ? throw Bad("turns", "too large") : (int?)turns,
                },
                Whole("duration_ms"), Text("agent_version"), Text("model"), Text("error"));
        }

        public Trial ToTrial(int index, string source) => new()
        {
            RunId = 0,
            TaskId = Task,
            TrialIndex = index,
            Sequence = 0,
            Category = Category,
            Language = "",
            Outcome = Outcome,
            TestsPassed = TestsPassed ?? (Outcome == TrialOutcome.Pass ? 1 : 0),
            TestsTotal = TestsTotal ?? 1,
            StartedAt = Date,
            FinishedAt = Date + TimeSpan.FromMilliseconds(DurationMs ?? 0),
            DurationMs = DurationMs ?? 0,
            AgentDurationMs = DurationMs ?? 0,
            Usage = Usage,
            AgentVersion = AgentVersion,
            Model = Model,
            ErrorKind = Outcome == TrialOutcome.Error ? "ingested" : null,
            ErrorMessage = Error,
            Source = source,
        };
    }
}

using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Validation;

namespace Driftwatch.Cli.Rendering;

/// <summary>
/// The --json shapes of the suite commands (validate, import); the shapes of results are
/// <see cref="Driftwatch.Formats.Json.ResultJson"/>. Change them only by adding fields.
/// </summary>
public static class Json
{
    public static ValidationJson Validation(SuiteDefinition suite, IReadOnlyList<TaskValidation> results) => new(
        suite.Name, suite.Revision,
        [.. results.Select(r => new TaskValidationJson(
            r.Task.Id, r.Task.Category.Name(), r.Task.Language, r.Task.Difficulty.Name(), r.Sound, [.. r.Problems],
            new CheckJson(r.Bare.Outcome.Name(), r.Bare.Passed, r.Bare.Total, (long)r.Bare.Duration.TotalMilliseconds),
            new CheckJson(r.Reference.Outcome.Name(), r.Reference.Passed, r.Reference.Total, (long)r.Reference.Duration.TotalMilliseconds),
            r.MistakesChecked is { } checkedCount
                ? new MistakesJson(checkedCount, [.. r.SurvivingMistakes.Select(m => new MistakeJson(m.File, m.Line, m.Description))])
                : null))],
        results.Count(r => r.Sound), results.Count(r => !r.Sound));
}

public sealed record CheckJson(string Outcome, int TestsPassed, int TestsTotal, long DurationMs);

public sealed record MistakeJson(string File, int Line, string Description);

public sealed record MistakesJson(int Checked, MistakeJson[] Surviving);

public sealed record TaskValidationJson(string Id, string Category, string Language, string Difficulty, bool Sound, string[] Problems, CheckJson Bare, CheckJson Reference, MistakesJson? Mistakes);

public sealed record SkippedJson(string Id, string Reason);

public sealed record ImportJson(string Format, string Suite, string Directory, string Revision, string SourceRevision, int Tasks,
    Dictionary<string, int> Categories, SkippedJson[] Skipped);

public sealed record ValidationJson(string Suite, string Revision, TaskValidationJson[] Tasks, int Sound, int Unsound);

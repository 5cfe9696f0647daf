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
            new CheckJson(r.Bare.Outcome.Name(), r.Bare.TestsPassed, r.Bare.TestsTotal, r.Bare.TestDurationMs),
            new CheckJson(r.Reference.Outcome.Name(), r.Reference.TestsPassed, r.Reference.TestsTotal, r.Reference.TestDurationMs),
            r.MistakesChecked is { } checkedCount
                ? new MistakesJson(checkedCount, [.. r.SurvivingMistakes.Select(m => new MistakeJson(m.File, m.Line, m.Description))])
                : null)
            { NotChecked = r.NotChecked.IsEmpty ? null : [.. r.NotChecked] })],
        results.Count(r => r.Sound), results.Count(r => r.Unsound))
    {
        NotChecked = results.Count(r => !r.Sound && !r.Unsound),
    };
}

public sealed record CheckJson(string Outcome, int TestsPassed, int TestsTotal, long DurationMs);

public sealed record MistakeJson(string File, int Line, string Description);

public sealed record MistakesJson(int Checked, MistakeJson[] Surviving);

public sealed record TaskValidationJson(string Id, string Category, string Language, string Difficulty, bool Sound, string[] Problems, CheckJson Bare, CheckJson Reference, MistakesJson? Mistakes)
{
    /// <summary>The checks an infrastructure error kept from being made ("reference solution", "untouched workspace"); absent when all were made.</summary>
    public string[]? NotChecked { get; init; }
}

internal sealed record SkippedJson(string Id, string Reason);

internal sealed record ImportJson(string Format, string Suite, string Directory, string Revision, string SourceRevision, int Tasks,
    Dictionary<string, int> Categories, SkippedJson[] Skipped);

public sealed record ValidationJson(string Suite, string Revision, TaskValidationJson[] Tasks, int Sound, int Unsound)
{
    /// <summary>Tasks neither proven sound nor unsound: a check of theirs ended in an infrastructure error.</summary>
    public int NotChecked { get; init; }
}

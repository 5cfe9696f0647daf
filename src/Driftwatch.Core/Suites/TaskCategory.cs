namespace Driftwatch.Core.Suites;

/// <summary>What kind of coding work a task asks for.</summary>
public enum TaskCategory
{
    /// <summary>Write new code from a specification.</summary>
    Generation,

    /// <summary>Fill a marked gap inside existing code.</summary>
    Completion,

    /// <summary>Find and fix a bug that the hidden tests expose.</summary>
    Debugging,

    /// <summary>A task of another harness whose kind it does not say (ingested results only; never in a suite file).</summary>
    Other,
}

public enum Difficulty
{
    Easy,
    Medium,
    Hard,
}

public static class TaskCategoryNames
{
    public static readonly IReadOnlyDictionary<string, TaskCategory> ByName = new Dictionary<string, TaskCategory>
    {
        ["generation"] = TaskCategory.Generation,
        ["completion"] = TaskCategory.Completion,
        ["debugging"] = TaskCategory.Debugging,
    };

    public static readonly IReadOnlyDictionary<string, Difficulty> DifficultyByName = new Dictionary<string, Difficulty>
    {
        ["easy"] = Difficulty.Easy,
        ["medium"] = Difficulty.Medium,
        ["hard"] = Difficulty.Hard,
    };

    public static string Name(this TaskCategory category) => category.ToString().ToLowerInvariant();

    public static string Name(this Difficulty difficulty) => difficulty.ToString().ToLowerInvariant();

    /// <summary>A stored category: one of <see cref="ByName"/>, or "other" (ingested tasks of another harness).</summary>
    public static TaskCategory ParseCategory(string name) =>
        ByName.TryGetValue(name, out var category) ? category
        : name == "other" ? TaskCategory.Other
        : throw new FormatException($"unknown category '{name}'");
}

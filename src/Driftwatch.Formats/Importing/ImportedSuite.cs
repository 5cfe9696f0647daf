using System.Collections.Immutable;
using Driftwatch.Core;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// A task made from a dataset record, before it is written: its task.yaml fields and the text of
/// every file of its workspace/, tests/ (hidden) and solution/ (reference), by relative path.
/// </summary>
public sealed record ImportedTask
{
    public required string Id { get; init; }
    public required TaskCategory Category { get; init; }
    public required string Language { get; init; }
    public Difficulty? Difficulty { get; init; }
    public required string Instruction { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Null: the suite's default for the language.</summary>
    public string? TestCommand { get; init; }

    /// <summary>Seconds the hidden tests may take (null: the suite's default).</summary>
    public int? TestTimeoutSeconds { get; init; }

    /// <summary>Seconds the agent may take (null: the suite's default).</summary>
    public int? AgentTimeoutSeconds { get; init; }

    /// <summary>The container the task runs in, with the files of its build context (null: none).</summary>
    public ImportedEnvironment? Environment { get; init; }

    /// <summary>What the reference solution runs after its files are laid over the workspace (null: nothing).</summary>
    public string? SolutionCommand { get; init; }

    public required SourceReference Source { get; init; }
    public required ImmutableSortedDictionary<string, string> Workspace { get; init; }
    public required ImmutableSortedDictionary<string, string> Tests { get; init; }
    public required ImmutableSortedDictionary<string, string> Solution { get; init; }
}

/// <summary>
/// A task's container: an image by name, or a Containerfile with its build context, written to the
/// task's environment/ folder; and where the workspace appears in it.
/// </summary>
public sealed record ImportedEnvironment
{
    public string? Image { get; init; }

    /// <summary>The Containerfile's path inside <see cref="Files"/>.</summary>
    public string? Dockerfile { get; init; }

    public required string Workdir { get; init; }

    public ImmutableSortedDictionary<string, string> Files { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>A record the importer could not turn into a sound task, and why (reported, never silent).</summary>
public sealed record SkippedRecord(string Id, string Reason);

/// <summary>Test command and timeout an imported suite gives every task of one language.</summary>
public sealed record LanguageDefaults(string TestCommand, int? TestTimeoutSeconds = null);

/// <summary>A whole imported suite, ready for <see cref="SuiteWriter"/>.</summary>
public sealed record ImportedSuite
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required SourceReference Source { get; init; }
    public int TestTimeoutSeconds { get; init; } = 60;
    public int AgentTimeoutSeconds { get; init; } = 900;
    public required ImmutableSortedDictionary<string, LanguageDefaults> Languages { get; init; }

    /// <summary>Files of support/ (copied into each workspace as .driftwatch/ for the test phase).</summary>
    public required ImmutableSortedDictionary<string, string> Support { get; init; }

    public required ImmutableArray<ImportedTask> Tasks { get; init; }
    public ImmutableArray<SkippedRecord> Skipped { get; init; } = [];
}

/// <summary>What the user asked of an import besides the format and the source.</summary>
public sealed record ImportOptions
{
    /// <summary>The suite's name (default: the format's).</summary>
    public string? Name { get; init; }

    /// <summary>Only tasks whose id matches (globs as in --tasks), to leave out known-broken ones.</summary>
    public string? TaskFilter { get; init; }

    /// <summary>swe: the folder of repository snapshots, one per instance (DIR/INSTANCE_ID/).</summary>
    public string? Snapshots { get; init; }

    /// <summary>swe: the image the tasks run in (default: the base image).</summary>
    public string? Image { get; init; }

    /// <summary>exercism: Python and JavaScript tasks run in their images too (the other tracks always do).</summary>
    public bool Containers { get; init; }
}

/// <summary>Turns a public benchmark's files into a suite (docs/importers.md).</summary>
public interface IImporter
{
    /// <summary>The FORMAT argument of `suite import`.</summary>
    string Format { get; }

    /// <summary>One line for --help and error messages.</summary>
    string Description { get; }

    /// <summary>Reads <paramref name="source"/>; bad data is an <see cref="InvalidInputException"/> naming the record and field.</summary>
    ImportedSuite Import(string source, ImportOptions options);
}

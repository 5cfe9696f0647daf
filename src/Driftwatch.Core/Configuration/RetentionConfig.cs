namespace Driftwatch.Core.Configuration;

/// <summary>
/// `retention:` in driftwatch.yaml (docs/storage.md): how long `driftwatch db gc` keeps trials'
/// artifacts. Outcomes, metrics and every trial row are kept forever; an artifact is kept while
/// its run is younger than <see cref="ArtifactsDays"/> or among the last <see cref="ArtifactsRuns"/>
/// runs of its agent × suite (either rule keeps it), and always when its task flipped or its
/// agent × suite is degraded (<see cref="Retention.ArtifactRetention"/>).
/// </summary>
public sealed record RetentionConfig
{
    /// <summary>Keep the artifacts of runs started within this many days; absent: no age rule.</summary>
    public int? ArtifactsDays { get; init; }

    /// <summary>Keep the artifacts of the last this many runs of each agent × suite; absent: no count rule.</summary>
    public int? ArtifactsRuns { get; init; }
}

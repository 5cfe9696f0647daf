using Driftwatch.Core.Text;

namespace Driftwatch.Core.Suites;

/// <summary>The revision of a suite: a hash of every file in its folder, so any edit gives a new one.</summary>
public static class SuiteRevision
{
    public static string Compute(string directory) => TreeHash.Compute(directory);

    /// <summary>The short form shown to people (first 12 hex digits).</summary>
    public static string Short(string revision) => revision.Length > 12 ? revision[..12] : revision;
}

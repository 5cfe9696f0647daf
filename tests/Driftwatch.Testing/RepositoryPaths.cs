namespace Driftwatch.Testing;

/// <summary>Where the repository's own files are, found from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string CoreSuite => Path.Combine(Root, "suites", "core");

    public static string SupportDirectory => Path.Combine(CoreSuite, "support");

    /// <summary>The shared public datasets beside the repository (../shared/datasets).</summary>
    public static string Datasets => Path.GetFullPath(Path.Combine(Root, "..", "shared", "datasets"));

    /// <summary>Small samples of benchmark formats (MBPP, Exercism) written for the importer tests.</summary>
    public static string ImportFixtures => Path.Combine(Root, "tests", "Driftwatch.Formats.Tests", "Importing", "Fixtures");

    /// <summary>The built CLI (Driftwatch.Cli.dll), copied next to the tests that reference it.</summary>
    public static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "Driftwatch.Cli.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Driftwatch.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (Driftwatch.slnx) above " + AppContext.BaseDirectory);
    }
}

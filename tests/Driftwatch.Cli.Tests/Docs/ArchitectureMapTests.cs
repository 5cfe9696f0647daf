using System.Text.RegularExpressions;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Docs;

/// <summary>README § Architecture is the map of src/: it names every folder, and no folder that is gone.</summary>
public sealed partial class ArchitectureMapTests
{
    [Fact]
    public void The_readme_architecture_map_lists_every_source_folder_and_only_folders_that_exist()
    {
        // Given the README's architecture section and the folders of every project under src/
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = readme.IndexOf("## Architecture", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, "README.md has no Architecture section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        var source = Path.Combine(RepositoryPaths.Root, "src");
        var actual = Directory.EnumerateDirectories(source)
            .Where(p => File.Exists(Path.Combine(p, Path.GetFileName(p) + ".csproj")))
            .SelectMany(p => Directory.EnumerateDirectories(p).Select(d => $"{Path.GetFileName(p)}/{Path.GetFileName(d)}").Prepend(Path.GetFileName(p)))
            .Where(d => !d.EndsWith("/bin", StringComparison.Ordinal) && !d.EndsWith("/obj", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        // When the map's project lines ("  Driftwatch.X/") and folder lines ("    Folder/") are read
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string? project = null;
        foreach (var line in section.Split('\n'))
        {
            if (ProjectLine().Match(line) is { Success: true } p)
                listed.Add(project = p.Groups[1].Value);
            else if (project is not null && FolderLine().Match(line) is { Success: true } f)
                listed.Add($"{project}/{f.Groups[1].Value}");
            else if (!line.StartsWith("    ", StringComparison.Ordinal))
                project = null;
        }

        // Then both name the same folders
        actual.Except(listed).Order(StringComparer.Ordinal).ShouldBeEmpty("folders missing from README § Architecture");
        listed.Except(actual).Order(StringComparer.Ordinal).ShouldBeEmpty("README § Architecture names folders that do not exist");
    }

    [GeneratedRegex(@"^  (Driftwatch\.\w+)/")]
    private static partial Regex ProjectLine();

    [GeneratedRegex(@"^    (\w+)/")]
    private static partial Regex FolderLine();
}

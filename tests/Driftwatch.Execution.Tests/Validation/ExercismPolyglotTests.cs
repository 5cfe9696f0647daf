using Driftwatch.Core.Runs;
using Driftwatch.Execution.Containers;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Validation;
using Driftwatch.Formats.Importing;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Validation;

/// <summary>
/// The Exercism polyglot set, validated per language: each track's exercises run in an image of its
/// toolchain, built from the Containerfile the importer wrote, through the trial path every run uses.
/// </summary>
public sealed class ExercismPolyglotTests : IDisposable
{
    private readonly TempDirectory _temp = new("exercism-polyglot");

    public void Dispose() => _temp.Dispose();

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task Every_language_of_the_polyglot_set_is_sound_in_the_image_of_its_toolchain()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given exercises of all six tracks, imported with Python and JavaScript in images too
        var source = _temp.Combine("exercises");
        CopyTree(Path.Combine(RepositoryPaths.ImportFixtures, "exercism"), source);
        CopyTree(Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot"), source);
        var written = SuiteWriter.Write(Importers.Import("exercism", source, new ImportOptions { Containers = true }), _temp.Combine("suite"), force: false);
        var suite = SuiteLoader.Load(written.Directory);
        suite.Tasks.Select(t => t.Language).Distinct().Order(StringComparer.Ordinal).ShouldBe(["cpp", "go", "java", "javascript", "python", "rust"]);
        suite.Tasks.ShouldAllBe(t => t.Environment != null && t.Environment.Dockerfile != null);

        // When the suite is validated (the images are built first, once per content)
        var results = await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, suite.Tasks, 2, null, CancellationToken.None);

        // Then in every language the reference passes every re-enabled test, read from the JUnit report,
        // and the untouched stub passes none
        foreach (var result in results)
        {
            var id = result.Task.Id;
            result.Problems.ShouldBeEmpty($"{id}: {result.Reference.ErrorMessage}");
            result.Reference.Outcome.ShouldBe(TrialOutcome.Pass, id);
            result.Reference.TestsTotal.ShouldBeGreaterThanOrEqualTo(3, id);
            result.Reference.TestsPassed.ShouldBe(result.Reference.TestsTotal, id);
            result.Bare.Outcome.ShouldBe(TrialOutcome.Fail, id);
            result.Bare.TestsPassed.ShouldBe(0, id);
        }
        // and each track has its own image, tagged by the content of its Containerfile
        var engine = (await ContainerEngine.DetectAsync(null, CancellationToken.None)).Engine!;
        var images = suite.Tasks.GroupBy(t => t.Language).ToDictionary(g => g.Key, g => g.Select(t => ContainerEngine.ContentHash(t.Environment!)).Distinct().ToList());
        images.Values.ShouldAllBe(hashes => hashes.Count == 1);
        images.Values.Select(h => h[0]).Distinct().Count().ShouldBe(6);
        foreach (var (language, hashes) in images)
            (await engine.ImageExistsAsync(ContainerEngine.BuiltImagePrefix + ":" + hashes[0], CancellationToken.None)).ShouldBeTrue(language);
    }
}

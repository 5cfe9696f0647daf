using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Configuration;

/// <summary>`retention:` (docs/storage.md): how long `db gc` keeps artifacts, by age and by run count.</summary>
public sealed class RetentionConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("retention-config");

    public void Dispose() => _temp.Dispose();

    private DriftwatchConfig Load(string yaml)
    {
        _temp.Write("driftwatch.yaml", yaml);
        return DriftwatchConfigLoader.Load(null, _temp.Path);
    }

    [Fact]
    public void Without_retention_there_is_no_policy() =>
        Load("agents:\n  a:\n    kind: simulated\n").Retention.ShouldBeNull();

    [Fact]
    public void Reads_the_days_and_the_runs()
    {
        Load("retention:\n  artifacts_days: 30\n  artifacts_runs: 10\n").Retention.ShouldBe(new RetentionConfig { ArtifactsDays = 30, ArtifactsRuns = 10 });
        Load("retention:\n  artifacts_runs: 5\n").Retention.ShouldBe(new RetentionConfig { ArtifactsRuns = 5 });
    }

    [Theory]
    [InlineData("retention:\n  artifacts_days: 0\n", "retention.artifacts_days", "from 1 to 100000, got '0'")]
    [InlineData("retention:\n  artifacts_days: -3\n", "retention.artifacts_days", "got '-3'")]
    [InlineData("retention:\n  artifacts_runs: ten\n", "retention.artifacts_runs", "got 'ten'")]
    [InlineData("retention:\n  artifacts_runs: 2.5\n", "retention.artifacts_runs", "got '2.5'")]
    [InlineData("retention:\n  days: 3\n", "retention.days", "")]
    [InlineData("retention:\n", "retention", "give artifacts_days")]
    public void Bad_values_are_bad_input_naming_the_file_line_and_field(string yaml, string field, string problem)
    {
        var error = Should.Throw<InvalidInputException>(() => Load(yaml));
        error.Message.ShouldContain(_temp.Combine("driftwatch.yaml"));
        error.Message.ShouldContain(field);
        error.Message.ShouldContain(problem);
    }
}

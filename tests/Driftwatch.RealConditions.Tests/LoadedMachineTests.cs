using System.Diagnostics;
using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// The built-in suite proven sound while a second process keeps both cores busy: the C# tasks'
/// builds take several times as long, and nothing may be killed or misjudged for it.
/// </summary>
public sealed class LoadedMachineTests : IDisposable
{
    private readonly List<Process> _burners = [];
    private readonly TempDirectory _temp = new("loaded");

    public void Dispose()
    {
        foreach (var burner in _burners)
        {
            burner.Kill(entireProcessTree: true);
            burner.Dispose();
        }
        _temp.Dispose();
    }

    [Fact]
    public async Task The_built_in_suite_validates_sound_with_both_cores_busy()
    {
        // Given a second process that keeps every core busy
        for (var i = 0; i < Environment.ProcessorCount; i++)
            _burners.Add(Process.Start("sh", ["-c", "while :; do :; done"]));

        // When the built-in suite is validated (both tasks' bare workspace and reference, in bubblewrap)
        var result = await new CliHarness(_temp.Path).RunAsync("suite", "validate", RepositoryPaths.CoreSuite, "--sandbox", "bwrap", "--json");

        // Then every task is sound
        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        result.Output.ShouldContain("\"unsound\": 0");
        _burners.ShouldAllBe(b => !b.HasExited);
    }
}

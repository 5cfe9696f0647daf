using System.Diagnostics;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Workspaces;

public sealed class WorkRootTests : IDisposable
{
    private readonly TempDirectory _temp = new("workroot");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Folders_left_by_dead_processes_are_removed_and_live_ones_kept()
    {
        // Given the folder of a process that no longer exists and that of a live one
        using var live = Process.Start("sleep", "30");
        var liveStart = live.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
        var dead = Directory.CreateDirectory(_temp.Combine("p999999-638000000")).FullName;
        File.WriteAllText(Path.Combine(dead, "left-over.txt"), "from a killed run");
        var alive = Directory.CreateDirectory(_temp.Combine($"p{live.Id}-{liveStart}")).FullName;

        // When this process takes its own folder
        var own = WorkRoot.ForThisProcess(_temp.Path);

        // Then the dead one is gone, the live one stays, and ours exists
        Directory.Exists(dead).ShouldBeFalse();
        Directory.Exists(alive).ShouldBeTrue();
        Directory.Exists(own).ShouldBeTrue();
        Path.GetFileName(own).ShouldStartWith($"p{Environment.ProcessId}-");
        live.Kill();
    }
}

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

    [Fact]
    public void A_new_root_is_made_private()
    {
        var root = _temp.Combine("fresh-root");

        WorkRoot.ForThisProcess(root);

        (File.GetUnixFileMode(root) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.OtherRead | UnixFileMode.GroupRead)).ShouldBe((UnixFileMode)0);
    }

    [Fact]
    public void A_root_of_this_user_that_others_can_write_is_closed_to_them()
    {
        // Given this user's root, made under a loose umask: writable by everyone
        var root = Directory.CreateDirectory(_temp.Combine("shared-root")).FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0x1FF);

        // When a process takes its folder there
        WorkRoot.ForThisProcess(root);

        // Then no one else can write it any more
        (File.GetUnixFileMode(root) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)).ShouldBe((UnixFileMode)0);
    }

    [Fact]
    public void A_root_that_is_a_link_is_refused()
    {
        var target = Directory.CreateDirectory(_temp.Combine("elsewhere")).FullName;
        var root = _temp.Combine("linked-root");
        Directory.CreateSymbolicLink(root, target);

        Should.Throw<Driftwatch.Core.InvalidInputException>(() => WorkRoot.ForThisProcess(root)).Message.ShouldContain("not a folder (a link or a file)");
        Directory.EnumerateFileSystemEntries(target).ShouldBeEmpty();
    }

    [Fact]
    public void A_root_owned_by_another_user_is_refused()
    {
        // Given a root owned by nobody (only root can hand a folder to another user)
        Assert.SkipUnless(Driftwatch.Core.Files.FileTree.EffectiveUser() == 0, "only root can give a folder to another user");
        var root = Directory.CreateDirectory(_temp.Combine("their-root")).FullName;
        using (var chown = Process.Start("chown", ["65534", root]))
            chown.WaitForExit();

        Should.Throw<Driftwatch.Core.InvalidInputException>(() => WorkRoot.ForThisProcess(root)).Message.ShouldContain("owned by user 65534");
    }
}

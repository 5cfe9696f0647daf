using System.Diagnostics;
using Driftwatch.Core.Files;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Core.Tests.Files;

public sealed class FileTreeTests : IDisposable
{
    private readonly TempDirectory _temp = new("file-tree");

    public void Dispose() => _temp.Dispose();

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
    }

    [Fact]
    public void A_FIFO_is_reported_as_special_and_never_opened()
    {
        // Given a FIFO nobody writes to (opening it to read would block forever)
        var fifo = _temp.Combine("pipe");
        MakeFifo(fifo);

        // When it is inspected, walked and read
        var kind = FileTree.Inspect(fifo).Kind;
        var walked = FileTree.Walk(_temp.Path).Single();
        var bytes = FileTree.ReadRegular(fifo, 1024);

        // Then it is named for what it is, and nothing blocked
        kind.ShouldBe(EntryKind.Special);
        walked.Kind.ShouldBe(EntryKind.Special);
        bytes.ShouldBeNull();
    }

    [Fact]
    public void A_link_to_a_folder_is_reported_and_not_entered()
    {
        // Given a link to a folder with files in it
        _temp.Write("elsewhere/secret.txt", "secret");
        Directory.CreateDirectory(_temp.Combine("tree"));
        File.CreateSymbolicLink(_temp.Combine("tree", "link"), _temp.Combine("elsewhere"));
        _temp.Write("tree/own.txt", "own");

        // When the tree is walked
        var entries = FileTree.Walk(_temp.Combine("tree")).ToList();

        // Then the link is an entry of its own and nothing behind it was visited
        entries.Select(e => (e.RelativePath, e.Kind)).ShouldBe([("link", EntryKind.Link), ("own.txt", EntryKind.File)]);
        FileTree.ReadRegular(_temp.Combine("tree", "link"), 1024).ShouldBeNull();
    }

    [Fact]
    public void Walks_parents_before_children_in_name_order_and_skips_what_it_is_told_to()
    {
        _temp.Write("root/b/z.txt", "z");
        _temp.Write("root/a/__pycache__/m.pyc", "c");
        _temp.Write("root/a/y.txt", "y");

        var paths = FileTree.Walk(_temp.Combine("root"), name => name == "__pycache__").Select(e => e.RelativePath).ToList();

        paths.ShouldBe(["a", "b", "a/y.txt", "b/z.txt"]);
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_not_read()
    {
        var file = _temp.Write("big.txt", new string('x', 2000));

        FileTree.ReadRegular(file, 1000).ShouldBeNull();
        FileTree.ReadRegular(file, 2000).ShouldNotBeNull().Length.ShouldBe(2000);
    }
}

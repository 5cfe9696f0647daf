namespace Driftwatch.Testing;

/// <summary>Copying a SQLite database in a test as a user backs it up: the file and its artifact blob folder beside it (docs/storage.md).</summary>
public static class DatabaseCopies
{
    /// <summary>Copies <paramref name="source"/>'s <c>.artifacts</c> folder beside <paramref name="target"/>, when it has one.</summary>
    public static void CopyArtifacts(string source, string target)
    {
        var from = source + ".artifacts";
        if (!Directory.Exists(from))
            return;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target + ".artifacts", Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }
}

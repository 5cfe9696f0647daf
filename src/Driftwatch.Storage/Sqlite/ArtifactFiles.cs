using Driftwatch.Core;
using Driftwatch.Core.Files;

namespace Driftwatch.Storage.Sqlite;

/// <summary>One blob file of the folder: its hash (null for a temporary file), path, size and age.</summary>
internal sealed record ArtifactFile(string? Hash, string Path, long Length, DateTimeOffset WrittenAt);

/// <summary>
/// The artifacts of a SQLite database as content-addressed Brotli files beside it
/// (<c>driftwatch.db</c> → <c>driftwatch.db.artifacts/ab/abcd….br</c>), one file per distinct text.
/// A file is written (temporary file, fsync, rename, fsync of its folder) before the row that names
/// it commits, and only inside a write transaction: whoever holds the write lock sees every file a
/// committed or in-flight row can name (docs/storage.md, `db gc`). <paramref name="syncFolder"/>
/// makes a folder's entries durable (<see cref="DirectorySync.Flush"/>; a test records the calls).
/// </summary>
internal sealed class ArtifactFiles(string databasePath, Action<string>? syncFolder = null)
{
    private readonly Action<string> _syncFolder = syncFolder ?? DirectorySync.Flush;

    private const string Extension = ".br";

    private const string TemporaryExtension = ".tmp";

    public string Folder { get; } = databasePath + ".artifacts";

    /// <summary>
    /// The hash an artifacts row names, as the file's name (lowercase hex): rows written since
    /// migration 15 hold its 32 bytes, older ones (and rows copied from PostgreSQL) its hex text.
    /// </summary>
    public static string StoredHash(object value) => value switch
    {
        byte[] bytes => Convert.ToHexStringLower(bytes),
        string text => text,
        _ => throw new InvalidCastException($"an artifact's hash is stored as {value.GetType().Name}, neither bytes nor text"),
    };

    public string PathOf(string hash) => System.IO.Path.Combine(Folder, hash[..2], hash + Extension);

    public bool Contains(string hash) => File.Exists(PathOf(hash));

    /// <summary>
    /// Makes the folder, so that it exists before the first trial's sandbox starts: a sandbox hides
    /// it only when it is there (RunJobOptions.DatabaseFiles), and it holds other trials' diffs.
    /// </summary>
    public void EnsureFolder()
    {
        try
        {
            if (Directory.Exists(Folder))
                return;
            Directory.CreateDirectory(Folder);
            _syncFolder(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Folder))!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{Folder}: cannot create the folder of the database's artifacts ({DatabaseFile.Reason(ex)})", ex);
        }
    }

    /// <summary>Stores <paramref name="compressed"/> as <paramref name="hash"/>'s file, unless it is there already (the same text).</summary>
    public void Put(string hash, byte[] compressed)
    {
        var path = PathOf(hash);
        if (File.Exists(path))
            return;
        var folder = System.IO.Path.GetDirectoryName(path)!;
        var temporary = System.IO.Path.Combine(folder, $"{hash}.{Guid.NewGuid():N}{TemporaryExtension}");
        var newFolder = !Directory.Exists(folder);
        var newRoot = newFolder && !Directory.Exists(Folder);
        try
        {
            Directory.CreateDirectory(folder);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(compressed);
                // On disk before the rename makes it visible, and before the row naming it commits.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another store of the same text got there first: its file is this one.
            TryDelete(temporary);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new InvalidInputException($"{path}: cannot write the artifact file ({DatabaseFile.Reason(ex)})", ex);
        }
        try
        {
            // The rename (and a new subfolder) survive a crash only once their folders are synced:
            // before the row naming the file commits, or a crash could leave the row without its file.
            _syncFolder(folder);
            if (newFolder)
                _syncFolder(Folder);
            if (newRoot)
                _syncFolder(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Folder))!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot make the artifact file durable ({DatabaseFile.Reason(ex)})", ex);
        }
    }

    /// <summary>The compressed bytes of <paramref name="hash"/>; bad input naming the file when it is missing or unreadable.</summary>
    public byte[] Read(string hash, string what)
    {
        var path = PathOf(hash);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException(
                $"{path}: the file of {what} is missing; the database and its {System.IO.Path.GetFileName(Folder)} folder belong together (restore both from the same backup)", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read the file of {what} ({DatabaseFile.Reason(ex)})", ex);
        }
    }

    /// <summary>The text <paramref name="hash"/>'s file holds, which must decode to <paramref name="size"/> bytes.</summary>
    public string ReadText(string hash, string encoding, long size, string what)
    {
        // An encoding this build does not know is the row's fault (the database's), not the file's.
        if (encoding != ArtifactCodec.Encoding)
            throw new InvalidDataException($"unknown artifact encoding '{encoding}'");
        var bytes = Read(hash, what);
        try
        {
            return ArtifactCodec.Decompress(bytes, encoding, size);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidInputException($"{PathOf(hash)}: the file of {what} is damaged ({ex.Message}); restore it with the database from the same backup", ex);
        }
    }

    /// <summary>Every blob and temporary file in the folder (none when it does not exist).</summary>
    public IReadOnlyList<ArtifactFile> List()
    {
        if (!Directory.Exists(Folder))
            return [];
        var files = new List<ArtifactFile>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(path);
            var name = info.Name;
            string? hash = name.EndsWith(Extension, StringComparison.Ordinal) ? name[..^Extension.Length] : null;
            if (hash is null && !name.EndsWith(TemporaryExtension, StringComparison.Ordinal))
                continue;
            files.Add(new ArtifactFile(hash, path, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
        }
        return files;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file: `db gc` removes it later.
        }
    }
}

using Driftwatch.Core;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>How the store's connections open the file.</summary>
internal enum FileAccessMode
{
    /// <summary>Read and write (created when missing): SQLite keeps -wal and -shm beside the file.</summary>
    ReadWrite,

    /// <summary>Read only, with SQLite's locks: reads what a -wal holds, through an existing -shm.</summary>
    ReadOnly,

    /// <summary>
    /// Read only and without locks or side files (SQLite's immutable=1): for a file whose folder
    /// cannot be written and that has no -wal, so that nothing can be changing it.
    /// </summary>
    Immutable,
}

/// <summary>
/// The database file as the file system sees it: whether it is SQLite at all, whether its pages
/// are sound, whether it can be written, and what to tell the user when not. None of these checks
/// writes to the file, and none creates its -wal or -shm.
/// </summary>
internal static class DatabaseFile
{
    // SQLite's primary result codes (https://www.sqlite.org/rescode.html).
    public const int Permission = 3;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CannotOpen = 14;
    public const int NotADatabase = 26;

    /// <summary>Less free space than this on the file's file system counts as a full disk.</summary>
    private const long FullBelowBytes = 1 << 20;

    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    public static string Wal(string path) => path + "-wal";

    public static string Shm(string path) => path + "-shm";

    public static void EnsureLooksLikeSqlite(string path)
    {
        if (Directory.Exists(path))
            throw new InvalidInputException($"{path}: is a folder, not a database file");
        if (!File.Exists(path))
            return;
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length == 0)
                return;
            var header = new byte[SqliteHeader.Length];
            var read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
                throw new InvalidInputException($"{path}: not a SQLite database (left untouched; choose another file with --db or DRIFTWATCH_DB)");
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new InvalidInputException($"{path}: cannot read the database ({Reason(ex)})", ex);
        }
    }

    /// <summary>
    /// SQLite's quick_check over every page before anyone reads or writes the file: a writer must
    /// never add to a damaged file (the damage spreads, and what was readable may stop being
    /// so). Reads the file only: without a -wal (nobody has it open) it is opened immutable, so no
    /// -wal or -shm appears beside it. Linear in the file's size (about 0.25 s for 500 MB, warm).
    /// </summary>
    public static void EnsureIntact(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
            return;
        var hadWal = File.Exists(Wal(path));
        var problem = QuickCheck(path, hadWal ? FileAccessMode.ReadOnly : FileAccessMode.Immutable);
        // A writer that started while the immutable check read the file could have moved pages
        // under it: only a check under SQLite's locks may call the file corrupt then.
        if (problem is not null && !hadWal && File.Exists(Wal(path)))
            problem = QuickCheck(path, FileAccessMode.ReadOnly);
        if (problem is not null)
        {
            throw new InvalidInputException(
                $"{path}: the database is corrupt ({problem}); it was left untouched: restore it from a backup, or save what is readable with `sqlite3 {Path.GetFileName(path)} .recover`");
        }
    }

    /// <summary>The first problem quick_check finds, or null (also when the file cannot be opened for the check: opening it proper says why).</summary>
    private static string? QuickCheck(string path, FileAccessMode mode)
    {
        try
        {
            using var connection = new SqliteConnection(ConnectionString(path, mode, pooling: false));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1);";
            var result = command.ExecuteScalar() as string;
            return result is null or "ok" ? null : "quick_check: " + OneLine(result);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or NotADatabase)
        {
            return $"SQLite {ex.SqliteErrorCode}: {OneLine(ex.Message)}";
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    public static string ConnectionString(string path, FileAccessMode mode, bool pooling) => new SqliteConnectionStringBuilder
    {
        // SQLite reads URI parameters only from a file: name; '?', '#' and '%' in the path are escaped.
        DataSource = mode == FileAccessMode.Immutable
            ? "file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal) + "?immutable=1"
            : path,
        Mode = mode == FileAccessMode.ReadWrite ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
        Pooling = pooling,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Whether a -wal beside the file holds changes not yet in the file itself.</summary>
    public static bool WalHasChanges(string path) => File.Exists(Wal(path)) && new FileInfo(Wal(path)).Length > 0;

    /// <summary>An error that says the file or its folder cannot be written (or the disk is full), not that the data is bad.</summary>
    public static bool IsUnwritable(SqliteException ex) => ex.SqliteErrorCode is Permission or ReadOnly or IoError or Full or CannotOpen;

    /// <summary>What keeps the file from being written, in words, or null when nothing visible does.</summary>
    public static string? WriteProblem(string path)
    {
        var folder = Path.GetDirectoryName(path) ?? ".";
        if (DiskFull(folder) is { } full)
            return full;
        try
        {
            // Only on the way to an error message: the probe is gone when it closes.
            using var probe = new FileStream(Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.probe"),
                FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return $"its folder {folder} is not writable ({Reason(ex)}), and SQLite keeps {Path.GetFileName(Wal(path))} and {Path.GetFileName(Shm(path))} there";
        }
        if (File.Exists(path))
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                return $"the file is not writable ({Reason(ex)})";
            }
        }
        return null;
    }

    /// <summary>"the disk is full (N KiB free)" when the folder's file system has next to no room left, else null.</summary>
    public static string? DiskFull(string folder)
    {
        try
        {
            var free = new DriveInfo(folder).AvailableFreeSpace;
            return free < FullBelowBytes ? $"the disk is full ({free / 1024} KiB free)" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public static string Reason(Exception ex) => IoReason.Of(ex);

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

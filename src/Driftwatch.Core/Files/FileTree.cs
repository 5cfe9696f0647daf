using System.Runtime.InteropServices;

namespace Driftwatch.Core.Files;

/// <summary>What a path is, as the file system says without following a link.</summary>
public enum EntryKind
{
    Missing,
    File,
    Directory,
    Link,

    /// <summary>A FIFO, a socket or a device: never opened (reading a FIFO blocks forever).</summary>
    Special,
}

/// <summary>One entry of a walk: its path relative to the root (with '/'), kind, size and the disk it takes.</summary>
public readonly record struct TreeEntry(string RelativePath, string FullPath, EntryKind Kind, long Size, long DiskBytes);

/// <summary>
/// Reads folder trees that someone else controls (an agent's workspace, an imported suite) without
/// being led anywhere: links are reported as links and never followed, FIFOs, sockets and devices
/// are reported and never opened, and a walk can be bounded.
/// </summary>
public static partial class FileTree
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const uint StatxSize = 0x200;
    private const uint StatxBlocks = 0x400;

    private static bool s_noStatx;

    /// <summary>The kind, size in bytes and disk use of <paramref name="path"/> (a link is not followed).</summary>
    public static (EntryKind Kind, long Size, long DiskBytes) Inspect(string path)
    {
        if (!s_noStatx && OperatingSystem.IsLinux())
        {
            try
            {
                Span<byte> buffer = stackalloc byte[256];
                if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxSize | StatxBlocks, ref MemoryMarshal.GetReference(buffer)) != 0)
                    return (EntryKind.Missing, 0, 0);
                // struct statx: stx_mode (u16) at 28, stx_size (u64) at 40, stx_blocks (u64, 512-byte units) at 48
                var mode = BitConverter.ToUInt16(buffer[28..]);
                var size = (long)BitConverter.ToUInt64(buffer[40..]);
                var blocks = (long)BitConverter.ToUInt64(buffer[48..]);
                var kind = (mode & 0xF000) switch
                {
                    0x8000 => EntryKind.File,
                    0x4000 => EntryKind.Directory,
                    0xA000 => EntryKind.Link,
                    _ => EntryKind.Special,
                };
                return (kind, size, blocks * 512);
            }
            catch (EntryPointNotFoundException)
            {
                s_noStatx = true;
            }
        }
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            return (EntryKind.Link, 0, 0);
        if (Directory.Exists(path))
            return (EntryKind.Directory, 0, 0);
        return info.Exists ? (EntryKind.File, info.Length, info.Length) : (EntryKind.Missing, 0, 0);
    }

    /// <summary>
    /// Every entry under <paramref name="root"/>, parents before children, names in ordinal order;
    /// links and special files are yielded and not entered. <paramref name="skip"/> leaves out a
    /// name (and, for a folder, all of it).
    /// </summary>
    public static IEnumerable<TreeEntry> Walk(string root, Func<string, bool>? skip = null)
    {
        if (Inspect(root).Kind != EntryKind.Directory)
            yield break;
        var pending = new Stack<(string Full, string Relative)>();
        pending.Push((root, ""));
        while (pending.Count > 0)
        {
            var (directory, prefix) = pending.Pop();
            string[] names;
            try
            {
                names = [.. new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true })
                    .Select(e => e.Name).Order(StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var folders = new List<(string, string)>();
            foreach (var name in names)
            {
                if (skip?.Invoke(name) == true)
                    continue;
                var full = Path.Combine(directory, name);
                var relative = prefix.Length == 0 ? name : $"{prefix}/{name}";
                var (kind, size, disk) = Inspect(full);
                if (kind == EntryKind.Missing)
                    continue;
                yield return new TreeEntry(relative, full, kind, size, disk);
                if (kind == EntryKind.Directory)
                    folders.Add((full, relative));
            }
            // Pushed in reverse so that folders are walked in name order.
            for (var i = folders.Count - 1; i >= 0; i--)
                pending.Push(folders[i]);
        }
    }

    /// <summary>The bytes of a regular file, or null when it is not one (a link, a FIFO…) or larger than <paramref name="maxBytes"/>.</summary>
    public static byte[]? ReadRegular(string path, long maxBytes)
    {
        var (kind, size, _) = Inspect(path);
        if (kind != EntryKind.File || size > maxBytes)
            return null;
        try
        {
            // Opened only after it was seen to be a regular file; read at most what it was then.
            using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.None });
            var buffer = new byte[Math.Min(size, maxBytes)];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return read == buffer.Length ? buffer : buffer[..read];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Who owns <paramref name="path"/> and its permission bits, without following a link (Linux);
    /// null where that cannot be asked or the path is not there.
    /// </summary>
    public static (EntryKind Kind, uint Owner, UnixFileMode Mode)? Ownership(string path)
    {
        if (s_noStatx || !OperatingSystem.IsLinux())
            return null;
        try
        {
            Span<byte> buffer = stackalloc byte[256];
            if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, ref MemoryMarshal.GetReference(buffer)) != 0)
                return null;
            // struct statx: stx_uid (u32) at 20, stx_mode (u16) at 28
            var owner = BitConverter.ToUInt32(buffer[20..]);
            var mode = BitConverter.ToUInt16(buffer[28..]);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => EntryKind.File,
                0x4000 => EntryKind.Directory,
                0xA000 => EntryKind.Link,
                _ => EntryKind.Special,
            };
            return (kind, owner, (UnixFileMode)(mode & 0xFFF));
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true;
            return null;
        }
    }

    /// <summary>The effective user id of this process (Linux).</summary>
    public static uint EffectiveUser() => GetEffectiveUser();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUser();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}

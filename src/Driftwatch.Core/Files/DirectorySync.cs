using System.Runtime.InteropServices;

namespace Driftwatch.Core.Files;

/// <summary>
/// Makes a folder's entries durable: a file created or renamed into a folder survives a crash only
/// once the folder itself is synced (fsync on the folder), not only the file's bytes. Linux; a
/// no-op elsewhere.
/// </summary>
public static partial class DirectorySync
{
    private const int OpenReadOnly = 0;

    private const int OpenCloseOnExec = 0x80000;

    private const int InvalidArgument = 22;

    private const int NotSupported = 95;

    /// <summary>Syncs <paramref name="folder"/>; an <see cref="IOException"/> naming it when it cannot be opened or synced.</summary>
    public static void Flush(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!OperatingSystem.IsLinux())
            return;
        var handle = Open(folder, OpenReadOnly | OpenCloseOnExec);
        if (handle < 0)
            throw new IOException($"{folder}: cannot open the folder to sync it ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        try
        {
            if (Fsync(handle) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // A file system that cannot sync a folder says so (EINVAL, or ENOTSUP): there is
                // nothing more to do there. PostgreSQL, which syncs its folders the same way,
                // ignores EINVAL from a folder's fsync for the same reason.
                if (errno is InvalidArgument or NotSupported)
                    return;
                throw new IOException($"{folder}: cannot sync the folder ({Marshal.GetPInvokeErrorMessage(errno)})");
            }
        }
        finally
        {
            _ = Close(handle);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int handle);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int handle);
}

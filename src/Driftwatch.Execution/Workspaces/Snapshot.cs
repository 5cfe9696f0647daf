using System.Security.Cryptography;
using System.Text;
using Driftwatch.Core.Files;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// The state of a workspace, read within limits and without following anything: text files with
/// their content, and everything else (binaries, large files, links, FIFOs) by what it is.
/// Caches and build output are left out.
/// </summary>
internal sealed record Snapshot(Dictionary<string, Snapshot.Entry> Entries, string? Cut)
{
    /// <summary>One path: its text when it is a readable text file, else a note of what it is, and a hash to compare by.</summary>
    public sealed record Entry(string? Text, string Note, string Hash)
    {
        public bool SameAs(Entry other) => Hash == other.Hash && Note == other.Note;
    }

    public static bool IsLeftOut(string name) => SuitePaths.IsIgnored(name) || name is "node_modules" or "bin" or "obj";

    public static Snapshot Take(string directory, DiffLimits limits)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        long read = 0;
        var seen = 0;
        string? cut = null;
        foreach (var entry in FileTree.Walk(directory, IsLeftOut))
        {
            if (++seen > limits.MaxEntries)
            {
                cut = $"the workspace holds more than {limits.MaxEntries} entries; the rest was not looked at";
                break;
            }
            switch (entry.Kind)
            {
                case EntryKind.Link:
                    var target = new FileInfo(entry.FullPath).LinkTarget ?? "?";
                    entries[entry.RelativePath] = new Entry(null, $"symbolic link to {target}", "link:" + target);
                    break;
                case EntryKind.Special:
                    entries[entry.RelativePath] = new Entry(null, "special file (FIFO, socket or device; not read)", "special");
                    break;
                case EntryKind.File when entry.Size > limits.MaxFileBytes || read + entry.Size > limits.MaxTotalBytes:
                    entries[entry.RelativePath] = new Entry(null, $"file of {entry.Size} bytes (not read)", $"size:{entry.Size}");
                    break;
                case EntryKind.File:
                    var bytes = FileTree.ReadRegular(entry.FullPath, limits.MaxFileBytes);
                    if (bytes is null)
                    {
                        entries[entry.RelativePath] = new Entry(null, "unreadable file", "unreadable");
                        break;
                    }
                    read += bytes.Length;
                    var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
                    var binary = bytes.AsSpan(0, Math.Min(8000, bytes.Length)).Contains((byte)0);
                    entries[entry.RelativePath] = binary ? new Entry(null, "binary file", hash) : new Entry(Encoding.UTF8.GetString(bytes), "file", hash);
                    break;
            }
        }
        return new Snapshot(entries, cut);
    }
}

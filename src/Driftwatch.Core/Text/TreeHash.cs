using System.Security.Cryptography;
using System.Text;
using Driftwatch.Core.Files;
using Driftwatch.Core.Suites;

namespace Driftwatch.Core.Text;

/// <summary>SHA-256 over every file of a folder tree: relative paths and bytes, in ordinal order.</summary>
public static class TreeHash
{
    public static string Compute(string directory, string? salt = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (salt is not null)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(salt));
            hash.AppendData([0]);
        }
        // Links by their target and special files by their kind: never followed, never opened.
        foreach (var entry in FileTree.Walk(directory, SuitePaths.IsIgnored).Where(e => e.Kind != EntryKind.Directory).OrderBy(e => e.RelativePath, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(entry.RelativePath));
            hash.AppendData([0]);
            hash.AppendData(entry.Kind switch
            {
                EntryKind.Link => Encoding.UTF8.GetBytes("link:" + new FileInfo(entry.FullPath).LinkTarget),
                EntryKind.File => File.ReadAllBytes(entry.FullPath),
                _ => "special"u8.ToArray(),
            });
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

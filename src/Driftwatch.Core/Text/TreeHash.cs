using System.Security.Cryptography;
using System.Text;
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
        var files = Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => (Full: f, Relative: Path.GetRelativePath(directory, f).Replace('\\', '/')))
            .Where(f => !f.Relative.Split('/').Any(SuitePaths.IsIgnored))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (full, relative) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(relative));
            hash.AppendData([0]);
            var link = new FileInfo(full).LinkTarget;
            hash.AppendData(link is null ? File.ReadAllBytes(full) : Encoding.UTF8.GetBytes("link:" + link));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

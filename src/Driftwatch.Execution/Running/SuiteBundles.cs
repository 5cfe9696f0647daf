using System.Formats.Tar;
using System.IO.Compression;
using Driftwatch.Core;
using Driftwatch.Core.Files;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Running;

/// <summary>
/// Suites by content (docs/scale-out.md): the machine that plans a run stores its suite's files in
/// the shared store under the suite's revision, and a worker elsewhere unpacks them into its own
/// cache and checks that they hash to that revision before running a trial on them. A worker never
/// reads the planning machine's path, and never runs a suite other than the one planned.
/// </summary>
public static class SuiteBundles
{
    /// <summary>
    /// Packs <paramref name="suite"/>'s folder (the files its revision hashes, links as links, modes
    /// kept) and stores it, once per revision. The folder is hashed again first: a suite edited
    /// since it was loaded is bad input, never a bundle under the wrong revision.
    /// </summary>
    public static async Task PublishAsync(ISuiteBundleStore store, SuiteDefinition suite, CancellationToken cancellationToken)
    {
        if (await store.GetSuiteBundleAsync(suite.Revision, cancellationToken).ConfigureAwait(false) is not null)
            return;
        var archive = Pack(suite.Directory);
        var now = SuiteRevision.Compute(suite.Directory);
        if (now != suite.Revision)
            throw new InvalidInputException($"{suite.Directory}: suite '{suite.Name}' changed while its run was being planned (revision {SuiteRevision.Short(suite.Revision)} → {SuiteRevision.Short(now)})");
        await store.PutSuiteBundleAsync(suite.Revision, archive, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The folder as a gzipped tar: regular files and links, in ordinal order, skipping what the revision ignores.</summary>
    public static byte[] Pack(string directory)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in FileTree.Walk(directory, SuitePaths.IsIgnored)
                .Where(e => e.Kind is EntryKind.File or EntryKind.Link or EntryKind.Directory)
                .OrderBy(e => e.RelativePath, StringComparer.Ordinal))
            {
                tar.WriteEntry(entry.FullPath, entry.RelativePath.Replace('\\', '/'));
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The folder of suite <paramref name="revision"/> on this machine, under <paramref name="cacheRoot"/>:
    /// unpacked from the store the first time (into a fresh folder, moved into place only once it
    /// hashes to the revision), reused after that while it still does. The folder keeps the name the
    /// planning machine's folder had (<paramref name="folderName"/>), as a suite's name may come from it.
    /// </summary>
    public static async Task<string> MaterializeAsync(ISuiteBundleStore store, string revision, string folderName, string cacheRoot, CancellationToken cancellationToken)
    {
        if (revision.Length != 64 || !revision.All(char.IsAsciiHexDigitLower))
            throw new InvalidInputException($"suite revision '{revision}' is not a revision (64 lower-case hex digits)");
        if (string.IsNullOrEmpty(folderName) || folderName is "." or ".." || folderName.IndexOfAny(['/', '\\', '\0']) >= 0)
            folderName = "suite";
        var home = Path.Combine(cacheRoot, revision);
        var target = Path.Combine(home, folderName);
        if (Directory.Exists(target) && SuiteRevision.Compute(target) == revision)
            return target;

        var archive = await store.GetSuiteBundleAsync(revision, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException($"suite revision {SuiteRevision.Short(revision)} is not in the store: the run was planned without workers (plan it again with `workers:` configured) or the store lost it");
        Directory.CreateDirectory(cacheRoot);
        var staging = Path.Combine(cacheRoot, $".unpack-{Guid.NewGuid():N}");
        var unpacked = Path.Combine(staging, folderName);
        Directory.CreateDirectory(unpacked);
        try
        {
            using (var input = new MemoryStream(archive, writable: false))
            using (var gzip = new GZipStream(input, CompressionMode.Decompress))
            {
                // Entries that would land outside the folder (.., absolute names, links pointing out) are refused by the reader.
                await TarFile.ExtractToDirectoryAsync(gzip, unpacked, overwriteFiles: false, cancellationToken).ConfigureAwait(false);
            }
            var actual = SuiteRevision.Compute(unpacked);
            if (actual != revision)
                throw new InvalidInputException($"the store's bundle of suite revision {SuiteRevision.Short(revision)} hashes to {SuiteRevision.Short(actual)}: it was altered, and no trial runs on it");
            Directory.CreateDirectory(home);
            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
            try
            {
                Directory.Move(unpacked, target);
            }
            catch (IOException) when (Directory.Exists(target) && SuiteRevision.Compute(target) == revision)
            {
                // Another worker on this machine put the same revision in place first.
            }
            return target;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            throw new InvalidInputException($"the store's bundle of suite revision {SuiteRevision.Short(revision)} is not a readable archive: {ex.Message}");
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Where a worker keeps unpacked suites: $XDG_CACHE_HOME/driftwatch/suites, else ~/.cache/driftwatch/suites.</summary>
    public static string DefaultCacheRoot()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "driftwatch", "suites");
    }
}

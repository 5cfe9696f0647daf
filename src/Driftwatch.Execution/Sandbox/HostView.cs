namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// The part of the host a confined process sees, all of it read-only: the system (/usr with its
/// /bin and /lib links, /etc without its secrets, /opt, /sys) and the toolchains on PATH wherever
/// they are installed. Under a home folder only a toolchain's own folder is shown (~/.pyenv,
/// ~/.cargo, ~/.dotnet), never the home folder itself: not its keys, not a database, not a clone.
/// </summary>
internal sealed record HostView(IReadOnlyList<string> Folders, IReadOnlyList<(string Link, string Target)> Links, IReadOnlyList<string> Masked)
{
    private static readonly string[] SystemFolders = ["/usr", "/etc", "/opt", "/sys"];
    private static readonly string[] SystemLinks = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    /// <summary>What no process needs from /etc: password hashes, host keys, private TLS keys, sudo rules, managed agent settings.</summary>
    private static readonly string[] EtcSecrets =
    [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd", "/etc/sudoers", "/etc/sudoers.d",
        "/etc/ssh", "/etc/ssl/private", "/etc/claude-code", "/etc/machine-id", "/etc/docker", "/etc/containers/auth.json",
    ];

    /// <summary>Variables that name a toolchain's root (when PATH only names its shims).</summary>
    private static readonly string[] RootVariables =
        ["PYENV_ROOT", "DOTNET_ROOT", "JAVA_HOME", "CARGO_HOME", "RUSTUP_HOME", "GOROOT", "NVM_DIR", "VOLTA_HOME", "SDKMAN_DIR", "BUN_INSTALL", "PNPM_HOME"];

    /// <summary>A toolchain folder under a home that needs another one beside it (cargo's proxies run rustup's toolchains).</summary>
    private static readonly Dictionary<string, string> Companions = new(StringComparer.Ordinal) { [".cargo"] = ".rustup" };

    private static readonly Lazy<HostView> Current = new(() => Discover(
        Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        name => Environment.GetEnvironmentVariable(name),
        HomeFolders()));

    /// <summary>This machine as seen from this process's PATH and environment.</summary>
    public static HostView ForThisProcess => Current.Value;

    /// <summary>The view for a PATH, an environment and the machine's home folders.</summary>
    public static HostView Discover(string path, Func<string, string?> variable, IReadOnlyList<string> homes)
    {
        var folders = new List<string>();
        var links = new List<(string, string)>();
        foreach (var folder in SystemFolders.Where(Directory.Exists))
            folders.Add(folder);
        foreach (var link in SystemLinks)
        {
            var info = new DirectoryInfo(link);
            if (info.LinkTarget is { } target)
                links.Add((link, target));
            else if (info.Exists)
                folders.Add(link);
        }

        var toolchains = new List<string>();
        var candidates = path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(RootVariables.Select(variable).OfType<string>())
            .Where(p => Path.IsPathFullyQualified(p) && Directory.Exists(p));
        foreach (var candidate in candidates)
        {
            var real = Resolve(candidate);
            if (real == "/" || homes.Contains(real, StringComparer.Ordinal))
                continue;
            if (homes.FirstOrDefault(h => real.StartsWith(h + "/", StringComparison.Ordinal)) is { } home)
            {
                var first = real[(home.Length + 1)..].Split('/')[0];
                // ~/.local holds more than programs (keyrings, application data): only the folder PATH names
                toolchains.Add(first == ".local" ? real : Path.Combine(home, first));
                if (Companions.TryGetValue(first, out var companion) && Directory.Exists(Path.Combine(home, companion)))
                    toolchains.Add(Path.Combine(home, companion));
            }
            else
            {
                toolchains.Add(real);
            }
        }
        foreach (var toolchain in toolchains.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!folders.Any(f => Contains(f, toolchain)))
                folders.Add(toolchain);
        }

        // Secrets inside what is shown: /etc's, and the history of a toolchain cloned with git (pyenv is).
        var masked = EtcSecrets.Where(Path.Exists)
            .Concat(folders.Select(f => Path.Combine(f, ".git")).Where(Path.Exists))
            .ToList();
        return new HostView(folders, links, masked);
    }

    /// <summary>
    /// What a trial must never see of <paramref name="paths"/> (a suite, Driftwatch's own folder):
    /// the paths themselves and the history of every git repository that holds one of them, whose
    /// commits hold the same files (a worktree's shared repository included).
    /// </summary>
    public static IEnumerable<string> WithRepositories(IEnumerable<string> paths)
    {
        foreach (var path in paths.Select(Path.GetFullPath))
        {
            yield return path;
            for (var folder = new DirectoryInfo(path); folder is not null; folder = folder.Parent)
            {
                var git = Path.Combine(folder.FullName, ".git");
                if (Directory.Exists(git))
                {
                    yield return git;
                    break;
                }
                if (File.Exists(git))
                {
                    // A worktree: ".git" is a file that names its folder inside the main repository's .git.
                    yield return git;
                    var line = File.ReadLines(git).FirstOrDefault(l => l.StartsWith("gitdir:", StringComparison.Ordinal));
                    if (line is not null && Path.GetFullPath(Path.Combine(folder.FullName, line["gitdir:".Length..].Trim())) is var gitdir)
                    {
                        yield return gitdir;
                        var common = Path.Combine(gitdir, "commondir");
                        yield return File.Exists(common) ? Path.GetFullPath(Path.Combine(gitdir, File.ReadAllText(common).Trim())) : Path.GetFullPath(Path.Combine(gitdir, "..", ".."));
                    }
                    break;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or inside it.</summary>
    public static bool Contains(string folder, string path) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Whether the view shows <paramref name="path"/> (so that hiding it needs a mask).</summary>
    public bool Shows(string path) => Folders.Any(f => Contains(f, path));

    private static string Resolve(string path)
    {
        try
        {
            var info = new DirectoryInfo(Path.GetFullPath(path));
            return (info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName).TrimEnd('/') is { Length: > 0 } resolved ? resolved : "/";
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary>/root, every folder under /home, and this process's HOME.</summary>
    private static List<string> HomeFolders()
    {
        var homes = new List<string> { "/root" };
        if (Directory.Exists("/home"))
            homes.AddRange(Directory.EnumerateDirectories("/home"));
        if (Environment.GetEnvironmentVariable("HOME") is { Length: > 1 } home)
            homes.Add(Path.GetFullPath(home).TrimEnd('/'));
        return [.. homes.Distinct(StringComparer.Ordinal)];
    }
}

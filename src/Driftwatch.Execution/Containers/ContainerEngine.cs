using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Driftwatch.Core.Files;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Execution.Containers;

/// <summary>
/// A container engine driven through its CLI: podman or docker (docs/containers.md). It makes the
/// images of task environments (once per content) and the containers of trials.
/// </summary>
public sealed class ContainerEngine
{
    /// <summary>Names the engine to use: "podman", "docker", or a path to either CLI.</summary>
    public const string EngineVariable = "DRIFTWATCH_CONTAINER_ENGINE";

    /// <summary>Names the OCI runtime podman should use (e.g. runc), where its default cannot run here.</summary>
    public const string RuntimeVariable = "DRIFTWATCH_CONTAINER_RUNTIME";

    /// <summary>The tag prefix of images built from a suite's Containerfile.</summary>
    public const string BuiltImagePrefix = "localhost/driftwatch-env";

    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);
    private readonly Dictionary<string, Lazy<Task<string>>> _images = new(StringComparer.Ordinal);
    private readonly Lock _imagesGate = new();

    private ContainerEngine(string kind, string path, ImmutableArray<string> runOptions, bool rootless)
    {
        Kind = kind;
        ExecutablePath = path;
        RunOptions = runOptions;
        Rootless = rootless;
    }

    /// <summary>"podman" or "docker".</summary>
    public string Kind { get; }

    public string ExecutablePath { get; }

    /// <summary>What every <c>run</c> gets besides the trial's own options (the runtime, where the default cannot run here).</summary>
    public ImmutableArray<string> RunOptions { get; }

    /// <summary>The engine runs without root (podman rootless): container users map to this user.</summary>
    public bool Rootless { get; }

    private static readonly Lock FoundGate = new();
    private static Task<(ContainerEngine?, string?)>? _found;

    /// <summary>
    /// The engine of this machine (found once per process): <see cref="EngineVariable"/>, else
    /// podman, else docker; or why there is none. Finding it also removes the containers that
    /// Driftwatch processes killed before they could (<see cref="SweepAsync"/>).
    /// </summary>
    public static Task<(ContainerEngine? Engine, string? Problem)> FindAsync(CancellationToken cancellationToken)
    {
        lock (FoundGate)
        {
            return _found ??= Task.Run(async () =>
            {
                var found = await DetectAsync(Environment.GetEnvironmentVariable(EngineVariable), CancellationToken.None).ConfigureAwait(false);
                if (found.Engine is { } engine)
                    await engine.SweepAsync(CancellationToken.None).ConfigureAwait(false);
                return found;
            });
        }
    }

    /// <summary>The label that names the Driftwatch process (pid and start) a trial's container belongs to.</summary>
    public const string OwnerLabel = "driftwatch.owner";

    /// <summary>This process, as <see cref="OwnerLabel"/> names it: its pid and when it started (a reused pid is another process).</summary>
    public static string Owner { get; } = $"{Environment.ProcessId}-{StartTicks(Environment.ProcessId)}";

    /// <summary>
    /// Removes the trial containers of Driftwatch processes that are gone (killed before they could
    /// remove them): a container outlives its engine's client, and an agent in it could run on.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var label = Kind == "podman" ? $"{{{{index .Labels \"{OwnerLabel}\"}}}}" : $"{{{{.Label \"{OwnerLabel}\"}}}}";
        var listed = await CliAsync(["ps", "--all", "--filter", "label=driftwatch=trial", "--format", $"{{{{.Names}}}} {label}"], cancellationToken).ConfigureAwait(false);
        if (!listed.Succeeded)
            return 0;
        var removed = 0;
        foreach (var line in listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length < 2 || parts[1].Split('-') is not [var pidText, var ticks] || !int.TryParse(pidText, out var pid))
                continue;
            if (StartTicks(pid) == ticks)
                continue;
            await CliAsync(RemoveArguments(parts[0]), cancellationToken).ConfigureAwait(false);
            removed++;
        }
        return removed;
    }

    /// <summary>Removes a container at once, running or not (docker's rm has no --time).</summary>
    internal string[] RemoveArguments(string name) => Kind == "podman" ? ["rm", "--force", "--time", "0", name] : ["rm", "--force", name];

    /// <summary>When process <paramref name="pid"/> started (field 22 of /proc/PID/stat), "gone" when it does not exist.</summary>
    private static string StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return "gone";
        }
    }

    /// <summary>Finds and checks an engine: <paramref name="preferred"/> (a name or path), else podman, else docker.</summary>
    public static async Task<(ContainerEngine? Engine, string? Problem)> DetectAsync(string? preferred, CancellationToken cancellationToken)
    {
        var candidates = string.IsNullOrWhiteSpace(preferred) ? ["podman", "docker"] : new[] { preferred.Trim() };
        foreach (var candidate in candidates)
        {
            var path = candidate.Contains('/', StringComparison.Ordinal) ? (File.Exists(candidate) ? candidate : null) : SandboxFactory.FindOnPath(candidate);
            if (path is null)
                continue;
            var kind = Path.GetFileName(path).Contains("docker", StringComparison.Ordinal) ? "docker" : "podman";
            var options = ImmutableArray.CreateBuilder<string>();
            if (kind == "podman" && RuntimeFor() is { } runtime)
                options.AddRange("--runtime", runtime);
            var rootless = kind == "podman" && !IsRoot();
            var engine = new ContainerEngine(kind, path, options.ToImmutable(), rootless);
            var version = await engine.CliAsync(["version", "--format", "{{.Client.Version}}"], cancellationToken).ConfigureAwait(false);
            if (!version.Succeeded)
                return (null, $"{path} does not answer ({FirstLine(version)}); {HowToInstall}");
            return (engine, null);
        }
        return (null, string.IsNullOrWhiteSpace(preferred)
            ? $"no container engine found (podman or docker on PATH); {HowToInstall}"
            : $"{EngineVariable}={preferred}: not found; {HowToInstall}");
    }

    public const string HowToInstall =
        "install podman (apt-get install podman runc) or docker, and make the task's image (docs/containers.md)";

    /// <summary>
    /// The OCI runtime podman is told to use: <see cref="RuntimeVariable"/>, else runc where the
    /// machine's cgroups are not the unified v2 layout (crun refuses the hybrid one), else its default.
    /// </summary>
    private static string? RuntimeFor()
    {
        if (Environment.GetEnvironmentVariable(RuntimeVariable) is { Length: > 0 } named)
            return named;
        var unified = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        return !unified && SandboxFactory.FindOnPath("runc") is not null ? "runc" : null;
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>What the engine's CLI needs of this process's environment (rootless podman finds its storage through HOME and XDG_*).</summary>
    internal static readonly IReadOnlySet<string> OwnVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "PATH", "HOME", "USER", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF",
        "CONTAINERS_REGISTRIES_CONF", "DOCKER_HOST", "DOCKER_CONFIG", "TMPDIR",
    };

    /// <summary>Runs the engine's CLI with a plain environment of this process (never a trial's).</summary>
    internal Task<ProcessResult> CliAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(Cli(arguments), timeout ?? CliTimeout, cancellationToken);

    /// <summary>The engine's CLI as a process spec, with what it needs of this process's environment.</summary>
    internal ProcessSpec Cli(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? passed = null)
    {
        var environment = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var name in OwnVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                environment[name] = value;
        }
        environment.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        // What a container is given by name only (--env NAME) travels in the CLI's environment,
        // never on its command line, where any process of the host could read it.
        foreach (var (name, value) in passed ?? ImmutableDictionary<string, string>.Empty)
        {
            if (!OwnVariables.Contains(name))
                environment[name] = value;
        }
        return new ProcessSpec { FileName = ExecutablePath, Arguments = [.. arguments], WorkingDirectory = "/", Environment = environment.ToImmutable() };
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) =>
        (await CliAsync(Kind == "podman" ? ["image", "exists", image] : ["image", "inspect", "--format", "{{.Id}}", image], cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>
    /// The image of <paramref name="environment"/>: the named one, which must exist; or the one built
    /// from its Containerfile and context, tagged by the hash of both, built at most once per content
    /// (here, and across runs by the engine's own store). Throws <see cref="ContainerEnvironmentException"/>
    /// with the engine's words when the image is missing or does not build.
    /// </summary>
    public Task<string> ImageForAsync(TaskEnvironment environment, CancellationToken cancellationToken)
    {
        // A Containerfile is known by its content (its tag is the hash): a long-lived process
        // (serve, schedule, a worker) builds it again when it changes.
        var key = environment.Image ?? $"{BuiltImagePrefix}:{ContentHash(environment)}";
        Lazy<Task<string>> entry;
        lock (_imagesGate)
        {
            if (!_images.TryGetValue(key, out entry!) || (entry.IsValueCreated && entry.Value.IsFaulted))
                _images[key] = entry = new Lazy<Task<string>>(() => ResolveAsync(environment, key, CancellationToken.None));
        }
        return entry.Value.WaitAsync(cancellationToken);
    }

    /// <summary>The named image, checked; or <paramref name="tag"/>, built when the engine does not hold it yet.</summary>
    private async Task<string> ResolveAsync(TaskEnvironment environment, string tag, CancellationToken cancellationToken)
    {
        if (environment.Image is { } image)
        {
            if (!await ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
                throw new ContainerEnvironmentException($"the image '{image}' is not in {Kind}'s store (make it first: docs/containers.md)");
            return image;
        }
        if (await ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            return tag;
        // One build of an image at a time, across processes (a scheduler and a validation, parallel
        // test projects): the others wait for it and then find the image there.
        using var buildLock = await AcquireBuildLockAsync(tag, cancellationToken).ConfigureAwait(false);
        if (await ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            return tag;
        // RUN steps get the same runtime and ceilings as trials (raising a limit is refused on some hosts).
        string[] build = ["build", .. RunOptions, "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=1024:1024",
            .. Kind == "podman" ? new[] { "--pull=never" } : [], "--network", "host", "-t", tag, "-f", environment.Dockerfile!, environment.Context!];
        var built = await CliAsync(build, cancellationToken, BuildTimeout).ConfigureAwait(false);
        if (!built.Succeeded)
            throw new ContainerEnvironmentException($"{environment.Dockerfile}: the image did not build ({(built.TimedOut ? "timed out" : $"exit {built.ExitCode}")}): {LastLines(built.CombinedOutput, 5)}");
        return tag;
    }

    /// <summary>
    /// An exclusive lock on a file named after the image in the temporary folder (an advisory lock,
    /// released when the process ends however it ends), polled until it is free.
    /// </summary>
    private static async Task<FileStream> AcquireBuildLockAsync(string tag, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"driftwatch-build-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tag)))[..16]}.lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A short SHA-256 of the Containerfile and every file of its context (names, modes and contents).</summary>
    public static string ContentHash(TaskEnvironment environment)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\0"));
        Add("containerfile");
        hash.AppendData(File.ReadAllBytes(environment.Dockerfile!));
        foreach (var entry in FileTree.Walk(environment.Context!).OrderBy(e => e.RelativePath, StringComparer.Ordinal))
        {
            Add($"{entry.Kind}:{entry.RelativePath}");
            if (entry.Kind == EntryKind.File)
                hash.AppendData(File.ReadAllBytes(entry.FullPath));
            else if (entry.Kind == EntryKind.Link)
                Add(new FileInfo(entry.FullPath).LinkTarget ?? "");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    internal static string FirstLine(ProcessResult run) =>
        (run.StartFailure ?? run.CombinedOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit {run.ExitCode}";

    internal static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A task's container environment could not be had (its image is missing or did not build): the infrastructure's fault, never the model's.</summary>
public sealed class ContainerEnvironmentException(string message) : Exception(message);

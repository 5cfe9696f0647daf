using System.Globalization;
using System.Security;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// C#: the .NET SDK's own compiler and code-metrics analyzer, run by <c>dotnet build</c> on a
/// project Driftwatch writes (never the workspace's). Findings: the compiler's warnings (CSxxxx)
/// in a file, each distinct one once — those hidden by <c>#pragma warning disable</c> or
/// <c>[SuppressMessage]</c> count too, as the compiler's SARIF log lists them. Complexity: CA1502
/// with threshold 0 reports every method's (accessor's, constructor's) cyclomatic complexity,
/// summed per file as mccabe's is for Python. A compiler needs the whole program, so the folder
/// holds every C# file of the version measured; a version that does not compile has no figures.
/// </summary>
/// <remarks>
/// Nothing of the workspace configures the build: the folder holds only .cs files, and the build
/// neither imports Directory.Build.*, Directory.Packages.props or a response file nor discovers
/// .editorconfig/.globalconfig files; it has its own global.json and a NuGet configuration with no
/// source (the project references no package, so restore needs none and never goes online).
/// </remarks>
internal sealed partial class CSharpTools : ILintTool
{
    /// <summary>The cap on the compiler's SARIF log that is read (thousands of warnings fit).</summary>
    private const long MaxLogBytes = 16 * 1024 * 1024;

    private const string RootMark = "@@driftwatch-root ";
    private const string LogName = "score.sarif";

    public string Language => "csharp";

    public string Name => "the C# compiler, CA1502";

    public bool CompilesWholeProgram => true;

    public bool Measures(string path) => path.EndsWith(".cs", StringComparison.Ordinal);

    public string? Unavailable()
    {
        if (Sandbox.SandboxFactory.FindOnPath("dotnet") is not { } dotnet)
            return "the .NET SDK is not installed (no dotnet on PATH)";
        var root = Path.GetDirectoryName(new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet)!;
        var sdks = Path.Combine(root, "sdk");
        return Directory.Exists(sdks) && Directory.EnumerateDirectories(sdks).Any() ? null : $"the .NET SDK is not installed (dotnet at {root} has no sdk folder)";
    }

    public async Task<ToolFigures> MeasureAsync(ToolSandbox tools, string folder, string scratch, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        // Build output folders never hold sources (the hidden tests' project leaves them out too).
        var sources = files.Where(f => !f.Split('/').Any(part => part is "bin" or "obj")).ToList();
        // A folder of its own whose name the agent cannot know, for the project and the build's output.
        var project = "score-" + Guid.NewGuid().ToString("N")[..12];
        var projectFolder = Path.Combine(folder, project);
        Directory.CreateDirectory(projectFolder);
        File.WriteAllText(Path.Combine(projectFolder, "Score.csproj"), ProjectFile(sources));
        File.WriteAllText(Path.Combine(projectFolder, "CodeMetricsConfig.txt"), "CA1502: 0\n");
        File.WriteAllText(Path.Combine(projectFolder, "score.globalconfig"), "is_global = true\ndotnet_diagnostic.CA1502.severity = warning\n");
        File.WriteAllText(Path.Combine(projectFolder, "nuget.config"), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration><packageSources><clear /></packageSources></configuration>\n");
        File.WriteAllText(Path.Combine(projectFolder, "global.json"), "{}\n");

        // The compiler reports the sources' paths as it sees the folder (through the sandbox, without links): the shell says where.
        var script = $"cd {project} && echo \"{RootMark}$(cd .. && pwd -P)\" && exec dotnet build Score.csproj -nologo -noAutoResponse -nodeReuse:false " +
            "--configfile nuget.config -p:UseSharedCompilation=false -p:ImportDirectoryBuildProps=false -p:ImportDirectoryBuildTargets=false " +
            "-p:ImportDirectoryPackagesProps=false -p:TreatWarningsAsErrors=false";
        var run = await tools.RunAsync(folder, scratch, "/bin/sh", ["-c", script], [], cancellationToken).ConfigureAwait(false);
        if (ToolSandbox.Problem("dotnet build", run) is { } problem)
            return ToolFigures.Failed(problem);

        var root = run.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith(RootMark, StringComparison.Ordinal))?[RootMark.Length..].Trim();
        var log = new FileInfo(Path.Combine(projectFolder, LogName));
        if (run.ExitCode != 0 || root is null || !log.Exists)
            return ToolFigures.Failed(Failure(run, root));
        if (log.Length > MaxLogBytes)
            return ToolFigures.Failed($"the compiler's log is larger than {MaxLogBytes / (1024 * 1024)} MiB; its figures were not read");
        try
        {
            using var stream = log.OpenRead();
            using var report = JsonDocument.Parse(stream);
            return Figures(report, root + "/", sources, files);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return ToolFigures.Failed($"the compiler's log could not be read: {ex.Message}");
        }
    }

    /// <summary>The project: a library of the SDK's own target framework, with the settings of the suite's C# tasks, the listed sources and nothing else.</summary>
    private static string ProjectFile(IEnumerable<string> sources)
    {
        var compile = string.Concat(sources.Select(s => $"    <Compile Include=\"../{SecurityElement.Escape(MSBuildEscape(s))}\" />\n"));
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net$(BundledNETCoreAppTargetFrameworkVersion)</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EnableDefaultItems>false</EnableDefaultItems>
                <AnalysisMode>None</AnalysisMode>
                <DiscoverEditorConfigFiles>false</DiscoverEditorConfigFiles>
                <DiscoverGlobalAnalyzerConfigFiles>false</DiscoverGlobalAnalyzerConfigFiles>
                <NuGetAudit>false</NuGetAudit>
                <ErrorLog>{LogName},version=2.1</ErrorLog>
              </PropertyGroup>
              <ItemGroup>
                <AdditionalFiles Include="CodeMetricsConfig.txt" />
                <EditorConfigFiles Include="score.globalconfig" />
            {compile}  </ItemGroup>
            </Project>

            """;
    }

    /// <summary>Each file's distinct compiler warnings and summed CA1502 complexities, from the SARIF 2.1 log.</summary>
    private static ToolFigures Figures(JsonDocument report, string root, IReadOnlyList<string> sources, IReadOnlyList<string> files)
    {
        var warnings = sources.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var complexity = sources.ToDictionary(f => f, _ => 0, StringComparer.Ordinal);
        foreach (var run in report.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out var results))
                continue;
            foreach (var result in results.EnumerateArray())
            {
                var rule = result.TryGetProperty("ruleId", out var id) ? id.GetString() ?? "" : "";
                var level = result.TryGetProperty("level", out var l) ? l.GetString() : "warning";
                var message = result.GetProperty("message").GetProperty("text").GetString() ?? "";
                if (!result.TryGetProperty("locations", out var locations) || locations.GetArrayLength() == 0)
                    continue;
                var physical = locations[0].GetProperty("physicalLocation");
                var uri = physical.GetProperty("artifactLocation").GetProperty("uri").GetString() ?? "";
                var path = Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : uri;
                if (!path.StartsWith(root, StringComparison.Ordinal) || !warnings.TryGetValue(path[root.Length..], out var seen))
                    continue; // the generated global usings and assembly attributes are no one's
                var file = path[root.Length..];
                if (rule == "CA1502" && ComplexityOf().Match(message) is { Success: true } m)
                {
                    complexity[file] += int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                }
                else if (rule.StartsWith("CS", StringComparison.Ordinal) && level == "warning")
                {
                    var region = physical.TryGetProperty("region", out var r) ? r.GetRawText() : "";
                    seen.Add(rule + "\0" + region + "\0" + message);
                }
            }
        }
        // A file the compiler was not given (under bin/ or obj/) has no figures of its own.
        var figures = files.ToDictionary(f => f,
            f => warnings.TryGetValue(f, out var seen) ? new FileFigures(seen.Count, complexity[f]) : new FileFigures(0, 0), StringComparer.Ordinal);
        return new ToolFigures(figures, []);
    }

    /// <summary>Why the build gave no figures: the compiler's first error (its path relative to the folder), or the build's last words.</summary>
    private static string Failure(ProcessResult run, string? root)
    {
        var lines = (run.StandardOutput + "\n" + run.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = lines.FirstOrDefault(l => ErrorLine().IsMatch(l));
        if (error is not null)
        {
            if (root is not null)
                error = error.Replace(root + "/", "", StringComparison.Ordinal);
            error = ProjectSuffix().Replace(error, "");
            return $"the C# code does not compile: {Cut(error)}";
        }
        return $"dotnet build failed (exit {run.ExitCode}): {Cut(lines.LastOrDefault(l => !l.StartsWith(RootMark, StringComparison.Ordinal)) ?? "no output")}";
    }

    /// <summary>A path as MSBuild reads it literally: its special characters (wildcards, separators, references) as %XX.</summary>
    private static string MSBuildEscape(string path) =>
        string.Concat(path.Select(c => "%*?;@$'()".Contains(c, StringComparison.Ordinal) ? $"%{(int)c:X2}" : c.ToString()));

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex(@"has a cyclomatic complexity of '(\d+)'")]
    private static partial Regex ComplexityOf();

    [GeneratedRegex(@":\s+error\s+[A-Z]+\d+:")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"\s+\[[^\]]*\.csproj\]$")]
    private static partial Regex ProjectSuffix();
}

using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Hostile.Tests;

/// <summary>
/// Agents that put credentials where Driftwatch keeps things: their own key into the diff and the
/// test output, and whatever else of the operator's environment they can reach. Credentials never
/// reach an agent unless it is given them, and what it is given is redacted everywhere it lands.
/// </summary>
public sealed class SecretAttacks : IDisposable
{
    private readonly HostileWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Theory]
    [InlineData(HostileWorld.PythonTask)]
    [InlineData(HostileWorld.ContainerTask)]
    public async Task Credentials_without_a_key_like_name_never_reach_the_agent_and_its_own_key_is_redacted_everywhere(string task)
    {
        if (task == HostileWorld.ContainerTask)
        {
            var missing = BaseImage.Ensure();
            Assert.SkipWhen(missing is not null, $"no container engine: {missing}");
        }

        // Given an operator environment with credentials in DATABASE_URL, HTTPS_PROXY and SENTRY_DSN,
        // and an agent given its own key, which writes everything it has into its change, its output
        // and code that prints it when the tests import it
        var key = HostileWorld.Secret("sk-ant-own-key");
        var password = HostileWorld.Secret("dbpassword");
        var proxy = HostileWorld.Secret("proxypassword");
        var dsn = HostileWorld.Secret("sentrykey");
        var agent = _world.AddAgent("leak", """
            env > env.txt
            cat env.txt
            printf 'import os\nprint(os.environ.get("LEAK_KEY"), "%s")\ndef add(a, b):\n    return a + b\n' "$LEAK_KEY" > calc.py
            echo "my key is $LEAK_KEY"
            exit 0
            """, extra: "    api_key_env: LEAK_KEY\n");
        var environment = new Dictionary<string, string?>
        {
            ["LEAK_KEY"] = key,
            ["DATABASE_URL"] = $"postgres://app:{password}@db.internal/app",
            ["HTTPS_PROXY"] = $"http://ops:{proxy}@proxy.internal:3128",
            ["SENTRY_DSN"] = $"https://{dsn}@sentry.internal/4",
        };

        // When it runs (the tests pass: the change is right)
        using var cli = CliProcess.Start(_world.Root, environment, "run", "--agent", agent, "--suite", _world.Suite, "--tasks", task, "--db", _world.Database, "--retries", "0");
        var (exitCode, output, error) = await cli.WaitAsync(TimeSpan.FromMinutes(3));
        exitCode.ShouldBe(0, output + error);

        // Then no credential is in what the run printed, in the trial's diff, transcript or test
        // output, in the exports or in the dashboard's pages
        var shown = await _world.Cli.RunAsync("show", "2", "--task", task, "--db", _world.Database);
        var exported = await _world.Cli.RunAsync("export", "2", "--format", "json", "--db", _world.Database);
        var report = Path.Combine(_world.Root, "report");
        var written = await _world.Cli.RunAsync("report", "--out", report, "--db", _world.Database);
        written.ExitCode.ShouldBe(0, written.Output + written.Error);
        var pages = string.Concat(Directory.EnumerateFiles(report, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        shown.Output.ShouldContain("[redacted]");
        foreach (var secret in new[] { key, password, proxy, dsn })
        {
            (output + error).ShouldNotContain(secret);
            shown.Output.ShouldNotContain(secret);
            exported.Output.ShouldNotContain(secret);
            pages.ShouldNotContain(secret);
        }
    }
}

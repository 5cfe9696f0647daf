using Driftwatch.Cli.Infrastructure;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Driftwatch.Cli.Tests;

/// <summary>What a command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs driftwatch commands in-process (Spectre's CommandAppTester with a TestConsole), in a
/// working directory and environment of the test's own, with the real exit-code mapping.
/// </summary>
public sealed class CliHarness(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
{
    public Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs a command until it ends or <paramref name="cancellationToken"/> stops it (long-running ones: serve, schedule).</summary>
    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var console = new TestConsole().Width(200);
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = console,
            Error = error,
            WorkingDirectory = workingDirectory,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            Arguments = args,
        };
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliContext), context);
        var tester = new CommandAppTester(registrar, console: console);
        tester.Configure(config => DriftwatchApp.Configure(config, context));
        var result = await tester.RunAsync(args, cancellationToken);
        return new CliResult(result.ExitCode, console.Output, error.ToString());
    }
}

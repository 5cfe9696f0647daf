using Driftwatch.Cli;
using Driftwatch.Cli.Infrastructure;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Driftwatch.Web.Tests.Commands;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs driftwatch commands in-process with a test console, folder and environment.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, params string[] args)
    {
        var console = new TestConsole().Width(200);
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = console,
            Error = error,
            WorkingDirectory = workingDirectory,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
        };
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliContext), context);
        var tester = new CommandAppTester(registrar, console: console);
        tester.Configure(config => DriftwatchApp.Configure(config, context));
        var result = await tester.RunAsync(args, cancellationToken);
        return new CliResult(result.ExitCode, console.Output, error.ToString());
    }

    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, null, TestContext.Current.CancellationToken, args);
}

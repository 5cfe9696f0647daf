using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Stores;
using Driftwatch.Storage;
using Driftwatch.Web.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class ServeSettings : DetectionSettings
{
    [CommandOption("--urls <URLS>")]
    [Description("Where to listen, separated by ';'. Default: http://127.0.0.1:5170. Anything but loopback needs $DRIFTWATCH_TOKEN")]
    public string? Urls { get; init; }
}

/// <summary>`serve`: the dashboard on Kestrel, read-only against the store.</summary>
internal sealed class ServeCommand(CliContext cli) : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var urls = Bindings.Parse(settings.Urls);
        var token = cli.GetEnvironmentVariable(BearerToken.Variable);
        token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
        var exposed = urls.Where(u => !Bindings.IsLoopback(u)).ToList();
        if (exposed.Count > 0 && token is null)
            throw new InvalidInputException($"--urls: {string.Join(", ", exposed)} is reachable from other machines; set {BearerToken.Variable} to the bearer token clients must send (or bind to 127.0.0.1)");
        var locations = Locations.Resolve(cli, settings);
        // Opened now, so that a file that is not a database (or a newer schema, or a server that
        // cannot be reached) stops serve with exit 2, not every request with a 500.
        var store = locations.OpenStoreForReading();
        await ServeAsync(cli, store, locations.StoreName, urls, token, settings.ToOptions(), cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>Runs the dashboard on the SQLite file <paramref name="databasePath"/> until cancelled (Ctrl-C).</summary>
    public static Task ServeAsync(CliContext cli, string databasePath, IReadOnlyList<string> urls, string? token, Core.Detection.CheckOptions check, CancellationToken cancellationToken) =>
        // Opened now, so that a file that is not a database (or a newer schema) stops serve with exit 2, not every request with a 500.
        ServeAsync(cli, StoreFactory.Open(new StorageConfig(Path: databasePath), StoreAccess.Read, cli.Time), databasePath, urls, token, check, cancellationToken);

    /// <summary>Runs the dashboard on <paramref name="store"/> (named <paramref name="name"/>) until cancelled (Ctrl-C).</summary>
    private static async Task ServeAsync(CliContext cli, DriftwatchStore store, string name, IReadOnlyList<string> urls, string? token, Core.Detection.CheckOptions check, CancellationToken cancellationToken)
    {
        var options = new DashboardOptions
        {
            OpenStore = () => store.Results,
            Urls = urls,
            Token = token,
            Check = check,
            Time = cli.Time,
        };
        using var host = DashboardHost.CreateBuilder(options).Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"--urls: cannot listen on {string.Join(", ", urls)}: {e.Message}");
        }
        cli.Out.MarkupLineInterpolated($"Driftwatch dashboard on [link]{string.Join(", ", urls)}[/] for {name}{(token is null ? "" : " (bearer token required)")}. Ctrl-C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await host.StopAsync(CancellationToken.None);
    }
}

using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
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
        var databasePath = ExistingDatabase(cli, settings);
        await ServeAsync(cli, databasePath, urls, token, settings.ToOptions(), cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>Runs the dashboard on <paramref name="databasePath"/> until cancelled (Ctrl-C).</summary>
    public static async Task ServeAsync(CliContext cli, string databasePath, IReadOnlyList<string> urls, string? token, Core.Detection.CheckOptions check, CancellationToken cancellationToken)
    {
        // Opened now, so that a file that is not a database (or a newer schema) stops serve with exit 2, not every request with a 500.
        var store = StoreFactory.Open(new StorageConfig(Path: databasePath), StoreAccess.Read, cli.Time);
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
        cli.Out.MarkupLineInterpolated($"Driftwatch dashboard on [link]{string.Join(", ", urls)}[/] for {databasePath}{(token is null ? "" : " (bearer token required)")}. Ctrl-C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await host.StopAsync(CancellationToken.None);
    }

    /// <summary>The database the settings name, which must exist: the dashboard never creates one.</summary>
    public static string ExistingDatabase(CliContext cli, StoreSettings settings)
    {
        var path = Locations.Resolve(cli, settings).DatabasePath;
        if (!File.Exists(path))
            throw Locations.MissingDatabase(path);
        return path;
    }
}

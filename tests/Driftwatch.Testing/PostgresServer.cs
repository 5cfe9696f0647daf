using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Driftwatch.Testing;

/// <summary>
/// One private PostgreSQL server per test process, started on first use: initdb into a fresh temp
/// folder, the server on a free loopback port with its socket in that folder (run as the
/// `postgres` OS user when the tests run as root), stopped and removed when the test assembly ends
/// (<see cref="PostgresServerLifetime"/>; at process exit only as a fallback). With
/// <see cref="Variable"/> set to a connection string, that server is used instead. Each test gets a
/// fresh empty database from <see cref="CreateDatabaseAsync"/>. No PostgreSQL is a failure, not a skip.
/// </summary>
public sealed class PostgresServer
{
    /// <summary>A connection string (with rights to create databases) of a server to use instead of a private one.</summary>
    public const string Variable = "DRIFTWATCH_TEST_POSTGRES";

    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);

    private static readonly Lazy<Task<PostgresServer>> Instance = new(() => Task.Run(StartAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlConnectionStringBuilder _admin;

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _databases = [];

    private readonly Func<Task> _stop;

    private int _stopped;

    private PostgresServer(NpgsqlConnectionStringBuilder admin, Func<Task>? stop)
    {
        _admin = admin;
        _stop = stop ?? DropDatabasesAsync;
        // Only a fallback: a test assembly stops the server in its PostgresServerLifetime fixture,
        // because work done at process exit runs after the runner has finished, against xunit's
        // 10 s limit for the process to end.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Stops the shared server if this process started one (a server of <see cref="Variable"/>
    /// only loses the databases the tests made); once, however often it is called.
    /// </summary>
    public static async Task StopSharedAsync()
    {
        if (!Instance.IsValueCreated)
            return;
        PostgresServer server;
        try
        {
            server = await Instance.Value.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return; // it never started; the test that wanted it has already failed with the reason
        }
        await server.StopAsync().ConfigureAwait(false);
    }

    private Task StopAsync() => Interlocked.Exchange(ref _stopped, 1) == 1 ? Task.CompletedTask : _stop();

    /// <summary>The shared server of this test process (started on the first call).</summary>
    public static Task<PostgresServer> SharedAsync() => Instance.Value;

    /// <summary>A fresh, empty database on the shared server; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await SharedAsync().ConfigureAwait(false);
        return await server.CreateAsync().ConfigureAwait(false);
    }

    /// <summary>The server's host and port ("127.0.0.1:54321").</summary>
    public string Endpoint => $"{_admin.Host}:{_admin.Port}";

    private async Task<string> CreateAsync()
    {
        var name = $"driftwatch_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_admin.ConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'", connection);
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            var external = new NpgsqlConnectionStringBuilder(given) { Pooling = false };
            await WaitUntilReadyAsync(external, null, $"the server of ${Variable}").ConfigureAwait(false);
            // A server of someone else's keeps nothing of the tests: their databases go at the end.
            return new PostgresServer(external, stop: null);
        }
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "no PostgreSQL found (initdb under /usr/lib/postgresql/*/bin or on PATH): the PostgreSQL store's tests need one; " +
            $"install Debian's postgresql (apt-get install postgresql; no service needs to run) or set {Variable} to a connection string");
        var folder = Path.Combine(Path.GetTempPath(), $"driftwatch-postgres-{Guid.NewGuid().ToString("N")[..10]}");
        Directory.CreateDirectory(folder);
        var asRoot = Environment.UserName == "root";
        try
        {
            if (asRoot)
                await RunAsync("chown", ["-R", "postgres:", folder]).ConfigureAwait(false);
            var data = Path.Combine(folder, "data");
            await RunToolAsync(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]).ConfigureAwait(false);
            var port = FreePort();
            var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            var started = false;
            // Until the server object exists (a start that fails halfway), process exit cleans up.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                if (!Volatile.Read(ref started))
                    StopAsync(asRoot, bin, data, folder).GetAwaiter().GetResult();
            };
            await RunToolAsync(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", options, "-W", "start"]).ConfigureAwait(false);
            var admin = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                Pooling = false,
                Timeout = 5,
            };
            await WaitUntilReadyAsync(admin, Path.Combine(folder, "server.log"), $"the test server in {folder}").ConfigureAwait(false);
            Volatile.Write(ref started, true);
            return new PostgresServer(admin, () => StopAsync(asRoot, bin, data, folder));
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw new InvalidOperationException($"PostgreSQL from {bin} could not be started in {folder}: {ex.Message}", ex);
        }
    }

    /// <summary>Polls until the server accepts a connection, within a generous limit (a loaded CI machine).</summary>
    private static async Task WaitUntilReadyAsync(NpgsqlConnectionStringBuilder admin, string? log, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(admin.ConnectionString);
                await connection.OpenAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                if (clock.Elapsed > StartLimit)
                {
                    var tail = log is not null && File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
                    throw new InvalidOperationException($"{what} did not accept connections on {admin.Host}:{admin.Port} within {StartLimit.TotalSeconds:0} s ({ex.Message}){(tail.Length > 0 ? $"; its log ends:\n{tail}" : "")}", ex);
                }
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private async Task DropDatabasesAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_admin.ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
        }
    }

    private static async Task StopAsync(bool asRoot, string bin, string data, string folder)
    {
        try
        {
            await RunToolAsync(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The newest /usr/lib/postgresql/N/bin with initdb, else the folder of initdb on PATH.</summary>
    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var newest = Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
                return newest.Dir;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL refuses to run as root: as root, its tools run as the postgres user.</summary>
    private static Task RunToolAsync(bool asRoot, string tool, IReadOnlyList<string> arguments) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", tool, .. arguments]) : RunAsync(tool, arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()} {(await output.ConfigureAwait(false)).Trim()}");
    }
}

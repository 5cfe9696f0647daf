namespace Driftwatch.Testing;

/// <summary>
/// Stops the shared <see cref="PostgresServer"/> when the test assembly ends. Each test project that
/// uses the server registers it: <c>[assembly: AssemblyFixture(typeof(PostgresServerLifetime))]</c>.
/// </summary>
/// <remarks>
/// The stop used to run at process exit, after xunit's runner had finished. There `pg_ctl stop`
/// and removing the server's folder count against xunit's 10 s for the process to end, and on a CI
/// machine busy with the other test projects they once took longer: the project failed with
/// "Foreground threads were left running" after all its tests had passed.
/// </remarks>
public sealed class PostgresServerLifetime : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await PostgresServer.StopSharedAsync().ConfigureAwait(false);
}

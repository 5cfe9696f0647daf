using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Testing;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The PostgreSQL store against the storage contract: a fresh database per test on the test process's server.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests, IAsyncLifetime
{
    private string? _connectionString;

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    protected override DriftwatchStore Open(Func<RunOwner, bool>? isOwnerAlive = null) =>
        StoreFactory.OpenPostgres(_connectionString ?? throw new InvalidOperationException("the test's database was not created"), isOwnerAlive, Time);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

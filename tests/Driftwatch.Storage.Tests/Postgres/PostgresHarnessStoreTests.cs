using Driftwatch.Core.Stores;
using Driftwatch.Storage.Tests.Sqlite;
using Driftwatch.Testing;

namespace Driftwatch.Storage.Tests.Postgres;

/// <summary>The harness records in PostgreSQL: a fresh database per test.</summary>
public sealed class PostgresHarnessStoreTests : HarnessStoreTestsBase, IAsyncLifetime
{
    private string? _connectionString;

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    protected override DriftwatchStore Open() =>
        StoreFactory.OpenPostgres(_connectionString ?? throw new InvalidOperationException("the test's database was not created"));

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

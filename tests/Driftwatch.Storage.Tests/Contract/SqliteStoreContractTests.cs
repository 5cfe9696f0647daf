using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Storage.Sqlite;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The SQLite store against the storage contract: one database file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override DriftwatchStore Open(Func<RunOwner, bool>? isOwnerAlive = null) =>
        StoreFactory.Of(SqliteResultStore.Open(Temp.Combine("driftwatch.db"), isOwnerAlive, Time));
}

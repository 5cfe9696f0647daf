using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The SQLite store against the storage contract: one database file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override ContractStore Open(Func<RunOwner, bool>? isOwnerAlive = null)
    {
        var store = SqliteResultStore.Open(Temp.Combine("driftwatch.db"), isOwnerAlive, Time);
        return new ContractStore(store, store, store);
    }
}

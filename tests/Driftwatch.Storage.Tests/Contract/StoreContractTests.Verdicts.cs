using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The verdicts a store keeps (#20): one per agent × suite, the latest in place of the one before.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_kept_verdict_reads_back_and_the_next_one_takes_its_place()
    {
        // Given a store that keeps no verdict yet
        using var store = Open();
        (await store.Results.GetStoredVerdictAsync("a", "core")).ShouldBeNull();

        // When a verdict is kept, then another for the same agent × suite, and one for another suite
        var first = new StoredVerdict("a", "core", "key-1", """{"status":"ok"}""", Start);
        await store.Results.PutStoredVerdictAsync(first);
        var afterFirst = await store.Results.GetStoredVerdictAsync("a", "core");
        var second = new StoredVerdict("a", "core", "key-2", """{"status":"degraded"}""", Start.AddDays(1));
        await store.Results.PutStoredVerdictAsync(second);
        await store.Results.PutStoredVerdictAsync(second with { Suite = "other" });

        // Then each reads back as kept, the latest in place of the one before
        afterFirst.ShouldBe(first);
        (await store.Results.GetStoredVerdictAsync("a", "core")).ShouldBe(second);
        (await store.Results.GetStoredVerdictAsync("a", "other")).ShouldBe(second with { Suite = "other" });
    }
}

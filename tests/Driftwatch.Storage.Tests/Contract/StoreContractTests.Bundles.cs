using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_suite_bundle_is_stored_once_under_its_revision_and_read_back_byte_for_byte()
    {
        var token = TestContext.Current.CancellationToken;
        var revision = new string('b', 64);
        byte[] archive = [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))];
        using (var store = Open())
        {
            (await store.Results.GetSuiteBundleAsync(revision, token)).ShouldBeNull();
            await store.Results.PutSuiteBundleAsync(revision, archive, token);
            // Stored again (a second run of the same revision, or a second submitter): the first stays.
            await store.Results.PutSuiteBundleAsync(revision, [1, 2, 3], token);
        }
        using var other = Open();
        (await other.Results.GetSuiteBundleAsync(revision, token)).ShouldBe(archive);
        (await other.Results.GetSuiteBundleAsync(new string('d', 64), token)).ShouldBeNull();
    }
}

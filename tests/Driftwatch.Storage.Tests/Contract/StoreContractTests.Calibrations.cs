using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The calibrations a store keeps (#20): by key, the latest in place of one before, none older than the retention once another is kept.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_kept_calibration_reads_back_by_its_key_and_the_next_one_takes_its_place()
    {
        // Given a store that keeps no calibration yet
        using var store = Open();
        (await store.Results.GetCalibrationAsync("key-1")).ShouldBeNull();

        // When a calibration is kept, then another under the same key, and one under another key
        var first = new StoredCalibration("key-1", "1.5 2.25", Start);
        await store.Results.PutCalibrationAsync(first);
        var afterFirst = await store.Results.GetCalibrationAsync("key-1");
        var second = new StoredCalibration("key-1", CalibrationLimits.Format([0.1 + 0.2, 1.0 / 3]), Start.AddHours(1));
        await store.Results.PutCalibrationAsync(second);
        await store.Results.PutCalibrationAsync(second with { Key = "key-2" });

        // Then each reads back as kept, exactly
        afterFirst.ShouldBe(first);
        (await store.Results.GetCalibrationAsync("key-1")).ShouldBe(second);
        (await store.Results.GetCalibrationAsync("key-2")).ShouldBe(second with { Key = "key-2" });
        CalibrationLimits.Parse((await store.Results.GetCalibrationAsync("key-1"))!.Limits).ShouldBe([0.1 + 0.2, 1.0 / 3]);
    }

    [Fact]
    public async Task Keeping_a_calibration_drops_those_older_than_the_retention()
    {
        // Given calibrations kept now and a day later
        using var store = Open();
        await store.Results.PutCalibrationAsync(new StoredCalibration("old", "1", Start));
        await store.Results.PutCalibrationAsync(new StoredCalibration("newer", "2", Start.AddDays(1)));

        // When another is kept once the first is older than the retention
        await store.Results.PutCalibrationAsync(new StoredCalibration("latest", "3", Start + StoredCalibration.Retention + TimeSpan.FromHours(1)));

        // Then the first is gone, the others remain
        (await store.Results.GetCalibrationAsync("old")).ShouldBeNull();
        (await store.Results.GetCalibrationAsync("newer")).ShouldNotBeNull();
        (await store.Results.GetCalibrationAsync("latest")).ShouldNotBeNull();
    }
}

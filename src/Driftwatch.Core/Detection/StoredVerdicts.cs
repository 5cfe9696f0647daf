using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Detection;

/// <summary>
/// Verdicts computed once per change and kept in the store (#20): a verdict is judged again only
/// when one of its history's runs was written (<see cref="RunHeader.WriteCount"/>), a run came or
/// went, the check options changed or another build judges; otherwise the kept one is read back,
/// without reading the history's trials. A verdict judged again reuses the calibrations the store
/// keeps (<see cref="ICalibrationStore"/>) for inputs that did not change. A store that cannot be
/// written (a read-only file) still judges, it only keeps nothing.
/// </summary>
public static class StoredVerdicts
{
    private static string Build => CalibrationKey.Build;

    /// <summary>What a verdict of <paramref name="runs"/> (one agent × suite, as listed) under <paramref name="options"/> is computed from, hashed.</summary>
    public static string Key(IReadOnlyList<RunHeader> runs, CheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        var text = $"{Build}\n{KeptVerdictJson.Describe(options)}\n{RunsKey(runs)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// What anything derived from <paramref name="runs"/> depends on, as far as their headers tell:
    /// each run, how often it or its trials were written, and its status (which a dead owner
    /// changes without a write). Equal texts, the same runs and trials.
    /// </summary>
    public static string RunsKey(IReadOnlyList<RunHeader> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return string.Join(',', runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Id}.{r.WriteCount}.{(int)r.Status}")));
    }

    /// <summary>
    /// The verdict of <paramref name="agent"/> on <paramref name="suite"/>, whose runs are
    /// <paramref name="runs"/>: the kept one when it was computed from the same, else judged by the
    /// checker on the history (with its metrics when signals are on) and kept.
    /// </summary>
    public static Task<Verdict> GetOrJudgeAsync(IResultStore store, string agent, string suite, IReadOnlyList<RunHeader> runs, CheckOptions options,
        TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return GetOrJudgeAsync(store, agent, suite, runs, options, time,
            token => store.GetHistoryAsync(agent, suite, withMetrics: options.Signals.Enabled, token), cancellationToken);
    }

    /// <summary>As above, with the history read by <paramref name="readHistory"/> when the verdict must be judged (a caller that reads it anyway).</summary>
    public static async Task<Verdict> GetOrJudgeAsync(IStoredVerdictStore store, string agent, string suite, IReadOnlyList<RunHeader> runs, CheckOptions options,
        TimeProvider time, Func<CancellationToken, Task<History>> readHistory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(readHistory);
        var key = Key(runs, options);
        if (await store.GetStoredVerdictAsync(agent, suite, cancellationToken).ConfigureAwait(false) is { } kept
            && kept.Key == key && KeptVerdictJson.Deserialize(kept.Json) is { } verdict)
            return verdict;
        var history = await readHistory(cancellationToken).ConfigureAwait(false);
        var memo = store is ICalibrationStore calibrations ? new StoreCalibrationMemo(calibrations, cancellationToken) : null;
        var judged = Checker.Check(history, options, memo);
        try
        {
            if (memo is not null)
                await memo.KeepAsync(time.GetUtcNow()).ConfigureAwait(false);
            await store.PutStoredVerdictAsync(new StoredVerdict(agent, suite, key, KeptVerdictJson.Serialize(judged), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidInputException)
        {
            // The store cannot be written (a read-only file, a full disk): the verdict stands, unkept.
        }
        return judged;
    }
}

/// <summary>
/// A memo over a store's calibrations for one judgement: each lookup reads the store (the checker
/// is synchronous, so the read is waited for: the SQLite store answers synchronously anyway), and
/// the calibrations computed are kept together afterwards by <see cref="KeepAsync"/>.
/// </summary>
internal sealed class StoreCalibrationMemo(ICalibrationStore store, CancellationToken cancellationToken) : ICalibrationMemo
{
    private readonly List<(string Key, string Limits)> _computed = [];

    public IReadOnlyList<double>? Get(string key)
    {
        try
        {
            var kept = store.GetCalibrationAsync(key, cancellationToken).GetAwaiter().GetResult();
            return kept is null ? null : CalibrationLimits.Parse(kept.Limits);
        }
        catch (InvalidInputException)
        {
            // A store that cannot be read for calibrations (an old read-only file): simulate.
            return null;
        }
    }

    public void Put(string key, IReadOnlyList<double> limits) => _computed.Add((key, CalibrationLimits.Format(limits)));

    /// <summary>Writes the calibrations computed; a store that cannot be written throws <see cref="InvalidInputException"/>.</summary>
    public async Task KeepAsync(DateTimeOffset now)
    {
        foreach (var (key, limits) in _computed)
            await store.PutCalibrationAsync(new StoredCalibration(key, limits, now), cancellationToken).ConfigureAwait(false);
        _computed.Clear();
    }
}

using Driftwatch.Core.Alerts;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;

namespace Driftwatch.Core.Stores;

/// <summary>
/// The store a command opens, as its ports: runs, trials, history, harness records, schedule slots
/// and alerts, all on the same data and released together. Code takes the ports it needs from here
/// rather than being handed one object several times.
/// </summary>
public sealed record DriftwatchStore(IResultStore Results, IScheduleStore Schedule, IAlertStore Alerts) : IDisposable
{
    public IRunStore Runs => Results;

    public ITrialStore Trials => Results;

    public IHistoryReader History => Results;

    public IHarnessStore Harness => Results;

    public Ingest.IIngestStore Ingest => Results;

    public void Dispose() => Results.Dispose();
}

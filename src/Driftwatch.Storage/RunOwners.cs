using System.Diagnostics;
using Driftwatch.Core.Runs;

namespace Driftwatch.Storage;

/// <summary>Identifies this process as a run's owner, and tells whether a recorded owner still lives.</summary>
public static class RunOwners
{
    public static RunOwner Current()
    {
        using var process = Process.GetCurrentProcess();
        return new RunOwner(Environment.MachineName, process.Id, new DateTimeOffset(process.StartTime.ToUniversalTime()));
    }

    /// <summary>
    /// True when the owner is a live process on this machine (matched by pid and start time, so a
    /// reused pid does not count). Owners on other machines are assumed alive.
    /// </summary>
    public static bool IsAlive(RunOwner owner)
    {
        if (owner.Host != Environment.MachineName)
            return true;
        try
        {
            using var process = Process.GetProcessById(owner.ProcessId);
            if (process.HasExited)
                return false;
            var started = new DateTimeOffset(process.StartTime.ToUniversalTime());
            return (started - owner.ProcessStartedAt).Duration() < TimeSpan.FromSeconds(2);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

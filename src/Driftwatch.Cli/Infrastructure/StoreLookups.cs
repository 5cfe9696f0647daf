using Driftwatch.Core;
using Driftwatch.Core.Runs;

namespace Driftwatch.Cli.Infrastructure;

internal static class StoreLookups
{
    /// <summary>The run a command argument names, or bad input (exit 2) naming that argument.</summary>
    public static async Task<RunHeader> RequireRunAsync(this IRunStore store, string argument, long id, CancellationToken cancellationToken) =>
        await store.GetRunAsync(id, cancellationToken)
        ?? throw new InvalidInputException($"{argument}: run {id} not found (see `driftwatch runs`)");
}

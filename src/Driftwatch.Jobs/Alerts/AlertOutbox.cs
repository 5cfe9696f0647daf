using System.Text.Json;
using Driftwatch.Core.Alerts;

namespace Driftwatch.Jobs.Alerts;

/// <summary>An alert handed to every sink, and what each made of it.</summary>
public sealed record Delivery(StoredAlert Stored, Alert Alert, IReadOnlyList<DeliveryResult> Results);

/// <summary>
/// Sends the alerts waiting in the store to every sink and closes each with what the sinks said.
/// An alert stays waiting until every sink has had its full set of attempts, so one cut short by
/// a stop or a crash goes out on the next start.
/// </summary>
internal sealed class AlertOutbox(IAlertStore store, IReadOnlyList<IAlertSink> sinks, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<IAlertSink> Sinks => sinks;

    public async Task<IReadOnlyList<Delivery>> DeliverPendingAsync(CancellationToken cancellationToken)
    {
        var deliveries = new List<Delivery>();
        foreach (var stored in await store.GetUndeliveredAlertsAsync(cancellationToken).ConfigureAwait(false))
        {
            var alert = Alert.FromJson(stored.Payload);
            var results = new List<DeliveryResult>();
            foreach (var sink in sinks)
                results.Add(await sink.SendAsync(alert, cancellationToken).ConfigureAwait(false));
            await store.MarkAlertDeliveredAsync(stored.Id, JsonSerializer.Serialize(results, Json), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            deliveries.Add(new Delivery(stored, alert, results));
        }
        return deliveries;
    }
}

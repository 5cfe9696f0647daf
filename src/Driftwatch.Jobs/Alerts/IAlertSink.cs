using Driftwatch.Core.Alerts;

namespace Driftwatch.Jobs.Alerts;

/// <summary>What one sink made of one alert. <see cref="Sink"/> is the sink's name, never its URL.</summary>
public sealed record DeliveryResult(string Sink, bool Delivered, int Attempts, string? Problem);

/// <summary>A place alerts go: the console, or a webhook in one of its formats.</summary>
public interface IAlertSink
{
    /// <summary>The kind and where the URL comes from ("slack ($SLACK_WEBHOOK_URL)"): safe to print and store.</summary>
    string Name { get; }

    Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>Prints the alert's text.</summary>
internal sealed class ConsoleAlertSink(TextWriter writer) : IAlertSink
{
    public string Name => "console";

    public async Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(alert.Text.AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new DeliveryResult(Name, true, 1, null);
    }
}

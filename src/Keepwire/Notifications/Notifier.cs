using Keepwire.Configuration;
using Keepwire.Hub;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Notifications;

/// <summary>
/// Tells the configured receivers (<c>notify:</c>) about the hub's events, off the decision path: publishing
/// only puts the event in each receiver's bounded queue (<see cref="ReceiverQueue"/>) and returns; sending,
/// timeouts and retries happen on each receiver's own worker. A slow or dead receiver therefore costs the hub's
/// loop nothing, and at worst loses events, which <see cref="NotificationCounters.Dropped"/> counts.
/// </summary>
public sealed class Notifier : IHubEventSink, IAsyncDisposable
{
    private readonly IReadOnlyList<ReceiverQueue> _receivers;

    private Notifier(IReadOnlyList<ReceiverQueue> receivers) => _receivers = receivers;

    /// <summary>Builds the receivers of <paramref name="targets"/>, reading the webhooks' secret files first.</summary>
    /// <exception cref="ConfigInvalidException">A secret file is missing, readable by others, or too short; nothing is started then.</exception>
    public static Notifier Create(IReadOnlyList<NotifyTarget> targets, INotificationTransport transport, NotificationCounters counters, TimeProvider time, ILogger logger)
    {
        var secrets = targets.Select(t => t.SecretFile is { } path ? SecretFile.Read(path, t.Origin) : null).ToList();
        return new Notifier([.. targets.Select((target, i) => new ReceiverQueue(target, secrets[i], transport, counters, time, logger))]);
    }

    public int Receivers => _receivers.Count;

    public void Publish(HubEvent hubEvent)
    {
        foreach (var receiver in _receivers)
            receiver.Offer(hubEvent);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers)
            await receiver.DisposeAsync();
    }
}

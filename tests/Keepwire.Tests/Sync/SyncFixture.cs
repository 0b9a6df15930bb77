using Keepwire.Configuration;
using Keepwire.Decisions;
using Keepwire.State;
using Keepwire.Sync;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Sync;

/// <summary>Two hubs' key pairs, their codecs and a fake clock shared by both (NTP-synchronised hubs).</summary>
internal sealed class SyncFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public SyncFixture()
    {
        Hub1Key = HubSyncKey.Derive(Hub1.PrivateKey, Hub2.PublicKey, "hub1", "hub2");
        Hub2Key = HubSyncKey.Derive(Hub2.PrivateKey, Hub1.PublicKey, "hub2", "hub1");
        Hub1Codec = new HubSyncCodec(Hub1Key);
        Hub2Codec = new HubSyncCodec(Hub2Key);
    }

    public KeyPair Hub1 { get; } = KeyPair.Generate();

    public KeyPair Hub2 { get; } = KeyPair.Generate();

    public HubSyncKey Hub1Key { get; }

    public HubSyncKey Hub2Key { get; }

    public HubSyncCodec Hub1Codec { get; }

    public HubSyncCodec Hub2Codec { get; }

    public FakeTimeProvider Clock { get; } = new(Start);

    public static HubSyncMessage Message(string node = "hub1", Guid? boot = null, long sequence = 1, DateTimeOffset? sentAt = null, bool holdsVips = true) =>
        new(node, boot ?? BootA, sequence, sentAt ?? Start, holdsVips,
            [
                new SyncedDecision("web", "alpha", Start.AddMinutes(-5), 7, false, DecisionReason.Failover, Start.AddMinutes(-5)),
                new SyncedDecision("dns", null, Start.AddMinutes(-9), 0, true, DecisionReason.Starting, null),
            ],
            OperatorIntent.None.WithDrain("bravo", true).WithPin("web", "alpha"));

    public static Guid BootA { get; } = Guid.Parse("0b0b0b0b-0000-4000-8000-000000000001");

    public static Guid BootB { get; } = Guid.Parse("0b0b0b0b-0000-4000-8000-000000000002");

    public void Dispose()
    {
        Hub1Key.Dispose();
        Hub2Key.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Conntrack;

namespace Keepwire.Tests.Fakes;

/// <summary>
/// A conntrack table in memory: flows the test puts in, deleted by the same filters the real tool applies
/// (family, protocol, original destination, destination port, reply source). Records every run, so a test
/// reads which deletes a switch made and how many passes over the table they cost.
/// </summary>
internal sealed class FakeConntrack : IConntrack
{
    private readonly Lock _lock = new();
    private readonly List<(TrackedFlow Flow, IPAddress ReplySource)> _flows = [];

    /// <summary>Every delete, in order, as its selector (a VIP-wide delete is a selector with no protocol match: see <see cref="ClearedVips"/>).</summary>
    public List<FlowSelector> Deletes { get; } = [];

    public List<IPAddress> ClearedVips { get; } = [];

    /// <summary>Every listing, as (family, reply source).</summary>
    public List<(AddressFamily Family, IPAddress ReplySource)> Listings { get; } = [];

    /// <summary>While not completed, every run waits for it: a slow conntrack.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Runs of conntrack so far: each one a pass over the whole table.</summary>
    public int Runs
    {
        get
        {
            lock (_lock)
                return Deletes.Count + ClearedVips.Count + Listings.Count;
        }
    }

    public void Add(TrackedFlow flow, IPAddress replySource)
    {
        lock (_lock)
            _flows.Add((flow, replySource));
    }

    public IReadOnlyList<(TrackedFlow Flow, IPAddress ReplySource)> Flows
    {
        get
        {
            lock (_lock)
                return [.. _flows];
        }
    }

    public async Task<int> DeleteFlowsAsync(FlowSelector selector, CancellationToken cancellationToken = default)
    {
        await WaitForGateAsync();
        lock (_lock)
        {
            Deletes.Add(selector);
            return _flows.RemoveAll(f => f.ReplySource.Equals(selector.Site) && f.Flow.Protocol == selector.Protocol && f.Flow.Destination.Equals(selector.Vip)
                && (selector.FirstPort is not { } first || (f.Flow.DestinationPort >= first && f.Flow.DestinationPort <= selector.LastPort)));
        }
    }

    public async Task<IReadOnlyList<TrackedFlow>> ListFlowsAsync(AddressFamily family, IPAddress replySource, CancellationToken cancellationToken = default)
    {
        await WaitForGateAsync();
        lock (_lock)
        {
            Listings.Add((family, replySource));
            return [.. _flows.Where(f => f.ReplySource.Equals(replySource) && f.Flow.Destination.AddressFamily == family).Select(f => f.Flow)];
        }
    }

    public async Task<int> DeleteFlowsToAsync(IPAddress address, CancellationToken cancellationToken = default)
    {
        await WaitForGateAsync();
        lock (_lock)
        {
            ClearedVips.Add(address);
            return _flows.RemoveAll(f => f.Flow.Destination.Equals(address));
        }
    }

    private Task WaitForGateAsync() => Gate?.Task ?? Task.CompletedTask;
}

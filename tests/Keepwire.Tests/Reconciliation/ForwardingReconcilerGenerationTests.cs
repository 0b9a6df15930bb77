using System.Net;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Reconciliation;

/// <summary>
/// The forwarding reconciler's idle passes: it lists the table only when the ruleset generation or the desired
/// plane moved since a listing found the table right, and still repairs whatever anyone changed.
/// </summary>
public class ForwardingReconcilerGenerationTests
{
    private const string WebKey = "203.0.113.80 . tcp . 80";

    private readonly FakeNftables _nft = new();
    private readonly ForwardingReconciler _reconciler;

    public ForwardingReconcilerGenerationTests() => _reconciler = new ForwardingReconciler(_nft, NullLogger<ForwardingReconciler>.Instance);

    private static HubDataPlane Plane(string backend) =>
        new("wg0", [new ForwardingRule("web", IPAddress.Parse("203.0.113.80"), TransportProtocol.Tcp, 80, 80, IPAddress.Parse(backend), 80)], [], []);

    private string? Web() => _nft.Lookup("inet", "keepwire", "fwd4", WebKey);

    [Fact]
    public async Task Idle_passes_list_nothing_once_a_listing_found_the_table_right()
    {
        Assert.Equal(ForwardingReconcileOutcome.Created, await _reconciler.ReconcileAsync(Plane("10.77.0.2")));
        // Our own transaction moved the generation: one more listing sees the table settled.
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, await _reconciler.ReconcileAsync(Plane("10.77.0.2")));
        var listings = _nft.Listings;

        for (var i = 0; i < 5; i++)
            Assert.Equal(ForwardingReconcileOutcome.Unchanged, await _reconciler.ReconcileAsync(Plane("10.77.0.2")));

        Assert.Equal(listings, _nft.Listings);
        Assert.Single(_nft.Scripts);
    }

    [Fact]
    public async Task A_change_by_someone_else_is_seen_by_its_generation_and_repaired()
    {
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));

        await _nft.ApplyAsync($"delete element inet keepwire fwd4 {{ {WebKey} }}\n");
        Assert.Null(Web());

        Assert.Equal(ForwardingReconcileAction.UpdatedElements, (await _reconciler.ReconcileAsync(Plane("10.77.0.2"))).Action);
        Assert.Equal("10.77.0.2 . 80", Web());
    }

    [Fact]
    public async Task A_new_plane_is_applied_at_once_whatever_the_generation()
    {
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));

        Assert.Equal(ForwardingReconcileAction.UpdatedElements, (await _reconciler.ReconcileAsync(Plane("10.77.0.3"))).Action);
        Assert.Equal("10.77.0.3 . 80", Web());
    }

    [Fact]
    public async Task Without_a_generation_every_pass_lists()
    {
        _nft.GenerationReadable = false;
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));
        var listings = _nft.Listings;

        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));

        Assert.Equal(listings + 2, _nft.Listings);
    }

    [Fact]
    public async Task After_a_removal_the_next_pass_creates_the_table_again()
    {
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));
        await _reconciler.ReconcileAsync(Plane("10.77.0.2"));

        await _reconciler.RemoveAsync();

        Assert.Equal(ForwardingReconcileOutcome.Created, await _reconciler.ReconcileAsync(Plane("10.77.0.2")));
    }
}

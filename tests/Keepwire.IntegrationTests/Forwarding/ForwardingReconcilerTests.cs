using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>The reconciler against the real nft in a fresh namespace: create, adopt, update, rebuild, remove.</summary>
[Collection("namespaces")]
public sealed class ForwardingReconcilerTests : IAsyncLifetime
{
    private const string OtherTable = "table inet other {\n\tchain input {\n\t\ttype filter hook input priority 10; policy accept;\n\t\ttcp dport 2222 counter accept comment \"not keepwire's\"\n\t}\n}\n";

    private readonly NamespaceScope _scope = new();
    private ICommandRunner _runner = null!;
    private NftablesCli _nft = null!;

    public async Task InitializeAsync()
    {
        _runner = await _scope.CreateNamespaceAsync("nft");
        _nft = new NftablesCli(_runner);
        await _nft.ApplyAsync(OtherTable);
    }

    public Task DisposeAsync() => _scope.CleanUpAsync();

    private ForwardingReconciler NewReconciler() => new(_nft, NullLogger<ForwardingReconciler>.Instance);

    private static HubDataPlane Plane(string backend4 = "10.77.0.2", string backend6 = "fd77::2", string tunnel = "kw0") => new(
        tunnel,
        [
            new("web", IPAddress.Parse("198.51.100.10"), TransportProtocol.Tcp, 443, 443, IPAddress.Parse(backend4), 443),
            new("web", IPAddress.Parse("198.51.100.10"), TransportProtocol.Tcp, 8443, 8443, IPAddress.Parse(backend4), 443),
            new("web", IPAddress.Parse("198.51.100.10"), TransportProtocol.Udp, 10000, 10100, IPAddress.Parse(backend4), 10000),
            new("web", IPAddress.Parse("2001:db8::10"), TransportProtocol.Tcp, 443, 443, IPAddress.Parse(backend6), 443),
            new("web", IPAddress.Parse("2001:db8::10"), TransportProtocol.Udp, 10000, 10100, IPAddress.Parse(backend6), 10000),
        ],
        [IPAddress.Parse("10.77.0.4"), IPAddress.Parse("fd77::4")],
        [IPNetwork.Parse("10.77.0.0/24"), IPNetwork.Parse("192.0.2.7/32"), IPNetwork.Parse("fd77::/64")]);

    private async Task AssertOtherTableIntactAsync()
    {
        var listing = await _runner.RunCheckedAsync("nft", ["list", "table", "inet", "other"]);
        Assert.Contains("tcp dport 2222 counter packets 0 bytes 0 accept comment \"not keepwire's\"", listing.StandardOutput);
    }

    [Fact]
    public async Task Creates_the_table_then_finds_nothing_to_do()
    {
        var reconciler = NewReconciler();

        var first = await reconciler.ReconcileAsync(Plane());
        var second = await reconciler.ReconcileAsync(Plane());
        var afterRestart = await NewReconciler().ReconcileAsync(Plane());

        Assert.Equal(ForwardingReconcileOutcome.Created, first);
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, second);
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, afterRestart);
        var state = await _nft.ReadTableAsync("inet", "keepwire");
        Assert.Equal(NftRulesetRenderer.Render(Plane()).Comment, state?.Comment);
        Assert.Contains(new NftElement("198.51.100.10 . udp . 10000-10100", "10.77.0.2"), state!.Elements["fwd4r"]);
        await AssertOtherTableIntactAsync();
    }

    [Fact]
    public async Task A_repoint_updates_only_elements_of_the_adopted_table()
    {
        var reconciler = NewReconciler();
        await reconciler.ReconcileAsync(Plane());
        var before = await _nft.ReadTableAsync("inet", "keepwire");

        var outcome = await NewReconciler().ReconcileAsync(Plane(backend4: "10.77.0.3", backend6: "fd77::3"));
        var again = await reconciler.ReconcileAsync(Plane(backend4: "10.77.0.3", backend6: "fd77::3"));

        Assert.Equal(ForwardingReconcileOutcome.UpdatedElements(5), outcome);
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, again);
        var after = await _nft.ReadTableAsync("inet", "keepwire");
        Assert.Equal(before!.Handle, after!.Handle);
        Assert.Equal(
            new HashSet<NftElement> { new("198.51.100.10 . tcp . 443", "10.77.0.3 . 443"), new("198.51.100.10 . tcp . 8443", "10.77.0.3 . 443") },
            after.Elements["fwd4"]);
        Assert.Equal(new HashSet<NftElement> { new("2001:db8::10 . udp . 10000-10100", "fd77::3") }, after.Elements["fwd6r"]);
        await AssertOtherTableIntactAsync();
    }

    [Fact]
    public async Task Removing_a_service_and_a_snat_site_deletes_their_elements()
    {
        var reconciler = NewReconciler();
        await reconciler.ReconcileAsync(Plane());

        var outcome = await reconciler.ReconcileAsync(Plane() with { Rules = Plane().Rules.Take(1).ToList(), SnatBackends = [] });

        Assert.Equal(ForwardingReconcileOutcome.UpdatedElements(6), outcome);
        var state = await _nft.ReadTableAsync("inet", "keepwire");
        Assert.Single(state!.Elements["fwd4"]);
        Assert.Empty(state.Elements["fwd4r"]);
        Assert.Empty(state.Elements["fwd6"]);
        Assert.Empty(state.Elements["snat4"]);
    }

    [Fact]
    public async Task Another_structure_is_rebuilt_in_place_and_other_tables_survive_everything()
    {
        var reconciler = NewReconciler();
        await reconciler.ReconcileAsync(Plane());
        var before = await _nft.ReadTableAsync("inet", "keepwire");

        var outcome = await reconciler.ReconcileAsync(Plane(tunnel: "kw1"));

        Assert.Equal(ForwardingReconcileOutcome.Rebuilt, outcome);
        var after = await _nft.ReadTableAsync("inet", "keepwire");
        Assert.NotEqual(before!.Handle, after!.Handle);
        Assert.Equal(NftRulesetRenderer.Render(Plane(tunnel: "kw1")).Comment, after.Comment);
        var listing = await _runner.RunCheckedAsync("nft", ["list", "table", "inet", "keepwire"]);
        Assert.Contains("oifname \"kw1\" jump into_tunnel", listing.StandardOutput);
        Assert.DoesNotContain("\"kw0\"", listing.StandardOutput);
        await AssertOtherTableIntactAsync();

        await reconciler.RemoveAsync();
        await reconciler.RemoveAsync();

        Assert.Null(await _nft.ReadTableAsync("inet", "keepwire"));
        await AssertOtherTableIntactAsync();
    }

    [Fact]
    public async Task A_hand_edited_table_without_the_fingerprint_is_rebuilt()
    {
        await _nft.ApplyAsync("table inet keepwire {\n\tset fwd4 { type ipv4_addr; }\n}\n");

        var outcome = await NewReconciler().ReconcileAsync(Plane());

        Assert.Equal(ForwardingReconcileOutcome.Rebuilt, outcome);
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, await NewReconciler().ReconcileAsync(Plane()));
    }

    [Fact]
    public async Task A_rejected_script_names_its_line_and_changes_nothing()
    {
        await NewReconciler().ReconcileAsync(Plane());
        const string script = "delete element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 }\nadd element inet keepwire fwd4 { 198.51.100.10 . tcp . 8443 : 10.77.0.9 . 443 }\n";

        var error = await Assert.ThrowsAsync<NftablesException>(() => _nft.ApplyAsync(script));

        Assert.Equal(NftablesFailure.ScriptRejected, error.Reason);
        Assert.Equal(2, error.LineNumber);
        Assert.StartsWith("add element inet keepwire fwd4", error.LineText, StringComparison.Ordinal);
        // The whole file is one transaction: the delete on line 1 did not happen either.
        Assert.Equal(ForwardingReconcileOutcome.Unchanged, await NewReconciler().ReconcileAsync(Plane()));
    }
}

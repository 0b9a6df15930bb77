using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Network;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>
/// The hub's nftables through libnftables, in the namespace of the thread that calls it (as the daemon does in its
/// own), against the <c>nft</c> program's view of the same namespace: one is a drop-in for the other.
/// </summary>
[Collection("namespaces")]
public sealed class NftablesLibraryTests : IAsyncLifetime
{
    private readonly NamespaceScope _scope = new();
    private ICommandRunner _runner = null!;
    private string _namespace = null!;

    public async Task InitializeAsync()
    {
        _runner = await _scope.CreateNamespaceAsync("lib");
        _namespace = _scope.NamespaceName("lib");
    }

    public Task DisposeAsync() => _scope.CleanUpAsync();

    private T InNamespace<T>(Func<NftablesLibrary, Task<T>> work) =>
        NamespaceThread.Run(_namespace, () => work(new NftablesLibrary(new NftablesGeneration())).GetAwaiter().GetResult());

    private static HubDataPlane Plane(string backend) => new(
        "kw0",
        [new("web", IPAddress.Parse("198.51.100.10"), TransportProtocol.Tcp, 443, 443, IPAddress.Parse(backend), 443)],
        [IPAddress.Parse("10.77.0.4")],
        [IPNetwork.Parse("10.77.0.0/24")]);

    [Fact]
    public async Task The_reconciler_through_the_library_builds_and_switches_what_nft_then_lists()
    {
        InNamespace(async nft =>
        {
            var reconciler = new ForwardingReconciler(nft, NullLogger<ForwardingReconciler>.Instance);
            await reconciler.ReconcileAsync(Plane("10.77.0.2"));
            await reconciler.ReconcileAsync(Plane("10.77.0.3"));
            return 0;
        });

        var listing = (await _runner.RunCheckedAsync("nft", ["list", "table", "inet", NftForwardingTable.Name])).StandardOutput;
        Assert.Contains("10.77.0.3", listing);
        Assert.DoesNotContain("10.77.0.2", listing);

        // And the library reads back what the program sees, comment and elements.
        var viaProgram = await new NftablesCli(_runner).ReadTableAsync("inet", NftForwardingTable.Name);
        var viaLibrary = InNamespace(nft => nft.ReadTableAsync("inet", NftForwardingTable.Name));
        Assert.NotNull(viaLibrary);
        Assert.Equal(viaProgram!.Comment, viaLibrary.Comment);
        Assert.Equal(viaProgram.Handle, viaLibrary.Handle);
        Assert.Equal(viaProgram.Elements.Keys.Order(), viaLibrary.Elements.Keys.Order());
        Assert.All(viaProgram.Elements, set => Assert.True(set.Value.SetEquals(viaLibrary.Elements[set.Key]), set.Key));
    }

    [Fact]
    public void A_rejected_script_names_its_line_and_changes_nothing()
    {
        const string Script = "add table inet libtest\nadd chain inet libtest c\nadd rule inet libtest c tcp dport 80 bogus\n";

        var error = Assert.Throws<InvalidOperationException>(() => InNamespace(async nft =>
        {
            await nft.ApplyAsync(Script);
            return 0;
        }));

        var rejected = Assert.IsType<NftablesException>(error.InnerException);
        Assert.Equal(NftablesFailure.ScriptRejected, rejected.Reason);
        Assert.Equal(3, rejected.LineNumber);
        Assert.Equal("add rule inet libtest c tcp dport 80 bogus", rejected.LineText);
        // One transaction: the table of line 1 was not made either.
        Assert.Null(InNamespace(nft => nft.ReadTableAsync("inet", "libtest")));
    }

    [Fact]
    public void The_generation_is_read_in_the_callers_namespace_and_counts_each_transaction()
    {
        var (before, after) = InNamespace(async nft =>
        {
            var first = await nft.ReadGenerationAsync();
            await nft.ApplyAsync("add table inet libtest\n");
            return (first, await nft.ReadGenerationAsync());
        });

        Assert.NotNull(before);
        Assert.Equal(before + 1, after);
    }
}

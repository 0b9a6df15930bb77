using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Network;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>
/// The hub's nftables through libnftables, in the namespace of the thread that made it (as the daemon does in its
/// own), against the <c>nft</c> program's view of the same namespace: one is a drop-in for the other.
/// </summary>
[Collection("namespaces")]
public sealed class NftablesLibraryTests : IAsyncLifetime
{
    private readonly NamespaceScope _scope = new();
    private ICommandRunner _runner = null!;
    private string _namespace = null!;
    private NftablesLibrary? _library;

    public async Task InitializeAsync()
    {
        _runner = await _scope.CreateNamespaceAsync("lib");
        _namespace = _scope.NamespaceName("lib");
        _library = NamespaceThread.Run(_namespace, () => new NftablesLibrary(new NftablesGeneration()));
    }

    public Task DisposeAsync()
    {
        _library?.Dispose();
        return _scope.CleanUpAsync();
    }

    // In the namespace too, for the generation: its netlink socket is opened per reading, in the caller's namespace.
    private T InNamespace<T>(Func<NftablesLibrary, Task<T>> work) =>
        NamespaceThread.Run(_namespace, () => work(_library!).GetAwaiter().GetResult());

    private static HubDataPlane Plane(string backend) => new(
        "kw0",
        [new("web", IPAddress.Parse("198.51.100.10"), TransportProtocol.Tcp, 443, 443, IPAddress.Parse(backend), 443)],
        [IPAddress.Parse("10.77.0.4")],
        [IPNetwork.Parse("10.77.0.0/24")]);

    /// <summary>The reconciler through the library builds the table for one backend, switches it to another, and nft lists the switch.</summary>
    private async Task BuildThenSwitchAndSeeItListedAsync()
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
    }

    [Fact]
    public async Task The_reconciler_through_the_library_builds_and_switches_what_nft_then_lists()
    {
        await BuildThenSwitchAndSeeItListedAsync();

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

    [Fact]
    public async Task A_library_made_before_the_process_opened_a_thousand_files_keeps_working_and_none_is_made_after()
    {
        // libnftables waits on its netlink socket with select(), which aborts the process for a descriptor of 1024 or
        // more: a context made per command died here, in the first transaction after the files were opened.
        var held = new List<SafeFileHandle>();
        try
        {
            while (Libc.LowestFreeDescriptor() < NftablesLibrary.SelectLimit + 64)
                held.Add(File.OpenHandle("/dev/null"));

            await BuildThenSwitchAndSeeItListedAsync();

            // A new context now would get a descriptor select() cannot take: refused with a reason, and the daemon's
            // choice falls back to the program.
            var refused = Assert.Throws<InvalidOperationException>(() => NamespaceThread.Run(_namespace, () => new NftablesLibrary()));
            Assert.Equal(NftablesFailure.ContextUnavailable, Assert.IsType<NftablesException>(refused.InnerException).Reason);
            Assert.Contains("below 1024", refused.InnerException!.Message);
            Assert.IsType<NftablesCli>(NamespaceThread.Run(_namespace, () => NftablesLibrary.ForThisNamespace(_runner, generation: null)));
        }
        finally
        {
            foreach (var handle in held)
                handle.Dispose();
        }
    }
}

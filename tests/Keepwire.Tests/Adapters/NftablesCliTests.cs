using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Reconciliation;
using Keepwire.Tests.Reconciliation;

namespace Keepwire.Tests.Adapters;

public sealed class NftablesCliTests
{
    // Captured from nft 1.0.6 (`nft -j list table inet keepwire`), which leaves the table comment out.
    private const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "keepwire", "handle": 3}},
        {"map": {"family": "inet", "name": "fwd4", "table": "keepwire", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 2, "map": "ipv4_addr . inet_service",
          "elem": [[{"concat": ["198.51.100.10", "tcp", 8443]}, {"concat": ["10.77.0.2", 443]}], [{"concat": ["198.51.100.10", "tcp", 443]}, {"concat": ["10.77.0.2", 443]}]]}},
        {"map": {"family": "inet", "name": "fwd4r", "table": "keepwire", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 3, "map": "ipv4_addr", "flags": ["interval"],
          "elem": [[{"concat": ["198.51.100.10", "udp", {"range": [10000, 10100]}]}, "10.77.0.2"]]}},
        {"map": {"family": "inet", "name": "fwd6", "table": "keepwire", "type": ["ipv6_addr", "inet_proto", "inet_service"], "handle": 4, "map": "ipv6_addr . inet_service",
          "elem": [[{"concat": ["2001:db8::10", "tcp", 443]}, {"concat": ["fd77::2", 443]}]]}},
        {"map": {"family": "inet", "name": "fwd6r", "table": "keepwire", "type": ["ipv6_addr", "inet_proto", "inet_service"], "handle": 5, "map": "ipv6_addr", "flags": ["interval"],
          "elem": [[{"concat": ["2001:db8::10", "udp", {"range": [10000, 10100]}]}, "fd77::2"]]}},
        {"set": {"family": "inet", "name": "snat4", "table": "keepwire", "type": "ipv4_addr", "handle": 6, "elem": ["10.77.0.4"]}},
        {"set": {"family": "inet", "name": "snat6", "table": "keepwire", "type": "ipv6_addr", "handle": 7, "elem": [{"elem": {"val": "fd77::4", "comment": "site c"}}]}},
        {"set": {"family": "inet", "name": "allow4", "table": "keepwire", "type": "ipv4_addr", "handle": 8, "flags": ["interval"], "elem": [{"prefix": {"addr": "10.77.0.0", "len": 24}}, "192.0.2.7"]}},
        {"set": {"family": "inet", "name": "allow6", "table": "keepwire", "type": "ipv6_addr", "handle": 9, "flags": ["interval"]}},
        {"set": {"family": "inet", "name": "elsewhere", "table": "other", "type": "ipv4_addr", "handle": 2, "elem": ["192.0.2.1"]}},
        {"chain": {"family": "inet", "table": "keepwire", "name": "prerouting", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}}]}
        """;

    private const string TerseText = "table inet keepwire {\n\tcomment \"keepwire schema 0123456789abcdef\"\n\tset snat4 {\n\t\ttype ipv4_addr\n\t\tcomment \"not this one\"\n\t}\n}\n";

    [Fact]
    public void Reads_elements_in_the_same_canonical_form_the_renderer_writes()
    {
        var state = NftJsonListing.Parse(Listing, "inet", "keepwire");

        Assert.NotNull(state);
        Assert.Equal(3, state.Handle);
        Assert.Null(state.Comment);
        var rendered = NftRulesetRenderer.Render(NftRulesetRendererTests.Plane()).Elements;
        Assert.Equal(rendered.Keys.Order(), state.Elements.Keys.Order());
        Assert.True(NftElementDiff.Compute(state.Elements, rendered).IsEmpty);
    }

    [Fact]
    public void A_listing_without_the_table_reads_as_absent_and_garbage_as_unreadable()
    {
        Assert.Null(NftJsonListing.Parse("""{"nftables": [{"metainfo": {"version": "1.0.6"}}]}""", "inet", "keepwire"));
        var error = Assert.Throws<NftablesException>(() => NftJsonListing.Parse("""{"nftables": [{"table": {"family": "inet"}}]}""", "inet", "keepwire"));
        Assert.Equal(NftablesFailure.UnreadableListing, error.Reason);
    }

    [Fact]
    public async Task Reads_the_table_comment_from_the_terse_text_listing_when_json_lacks_it()
    {
        var runner = new FakeCommandRunner((_, args, _) => args[0] == "-j" ? (0, Listing, "") : (0, TerseText, ""));

        var state = await new NftablesCli(runner).ReadTableAsync("inet", "keepwire");

        Assert.Equal("keepwire schema 0123456789abcdef", state?.Comment);
        Assert.Equal(["-j", "list", "table", "inet", "keepwire"], runner.Calls[0].Arguments);
        Assert.Equal(["-t", "list", "table", "inet", "keepwire"], runner.Calls[1].Arguments);
    }

    [Fact]
    public async Task An_absent_table_reads_as_null_and_other_failures_throw()
    {
        var absent = new FakeCommandRunner((_, _, _) => (1, "", "Error: No such file or directory\nlist table inet keepwire\n                ^^^^^^^^\n"));
        var denied = new FakeCommandRunner((_, _, _) => (1, "", "Error: Operation not permitted\n"));

        Assert.Null(await new NftablesCli(absent).ReadTableAsync("inet", "keepwire"));
        var error = await Assert.ThrowsAsync<NftablesException>(() => new NftablesCli(denied).ReadTableAsync("inet", "keepwire"));
        Assert.Equal(NftablesFailure.ListFailed, error.Reason);
        Assert.Contains("Operation not permitted", error.Message);
    }

    /// <summary>A site that never needed nftables may not have it: the site reconciler reads that as "no table".</summary>
    [Fact]
    public async Task A_missing_nft_program_is_its_own_failure_that_says_what_to_install()
    {
        var missing = new FakeCommandRunner((_, _, _) => (CommandResult.CannotStartExitCode, "", "cannot start nft: No such file or directory (is it installed?)"));

        var error = await Assert.ThrowsAsync<NftablesException>(() => new NftablesCli(missing).ReadTableAsync("inet", "keepwire_site"));
        Assert.Equal(NftablesFailure.NotInstalled, error.Reason);
        Assert.Contains("apt-get install nftables", error.Message);
    }

    [Fact]
    public async Task Applies_a_script_on_stdin_and_names_the_line_nft_rejects()
    {
        const string script = "add table inet keepwire\nadd element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 : 10.77.0.9 . 443 }\n";
        const string stderr = "/dev/stdin:2:34-58: Error: Could not process rule: File exists\nadd element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 : 10.77.0.9 . 443 }\n                                 ^^^^^^^^^^^^^^^^^^^^^^^^^\n";
        var runner = new FakeCommandRunner((_, _, _) => (1, "", stderr));

        var error = await Assert.ThrowsAsync<NftablesException>(() => new NftablesCli(runner).ApplyAsync(script));

        Assert.Equal(("nft", "-f -", script), (runner.Calls[0].Program, string.Join(' ', runner.Calls[0].Arguments), runner.Calls[0].StandardInput));
        Assert.Equal(NftablesFailure.ScriptRejected, error.Reason);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("add element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 : 10.77.0.9 . 443 }", error.LineText);
        Assert.Contains("line 2", error.Message);
        Assert.Contains("File exists", error.Message);
    }
}

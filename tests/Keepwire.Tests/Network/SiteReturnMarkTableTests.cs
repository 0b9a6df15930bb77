using Keepwire.Adapters.Routing;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Network;

public sealed class SiteReturnMarkTableTests
{
    private static readonly (string, FirewallMark)[] Tunnels =
    [
        ("kw0", SiteNetworkReconciler.ReturnPath.MarkFor(0)),
        ("kw1", SiteNetworkReconciler.ReturnPath.MarkFor(1)),
    ];

    [Fact]
    public void The_table_marks_arrivals_and_copies_the_mark_onto_local_and_forwarded_replies_in_one_transaction()
    {
        var script = SiteReturnMarkTable.ApplyScript(Tunnels);

        Assert.Equal(
            $$"""
            add table inet keepwire_site
            delete table inet keepwire_site
            table inet keepwire_site {
            	comment "{{SiteReturnMarkTable.Comment(Tunnels)}}"
            	chain prerouting {
            		type filter hook prerouting priority mangle; policy accept;
            		iifname "kw0" ct mark set ct mark & 0xf0ffffff | 0x01000000
            		iifname "kw1" ct mark set ct mark & 0xf0ffffff | 0x02000000
            		iifname != { "kw0", "kw1" } ct mark & 0x0f000000 == 0x01000000 meta mark set meta mark & 0xf0ffffff | 0x01000000
            		iifname != { "kw0", "kw1" } ct mark & 0x0f000000 == 0x02000000 meta mark set meta mark & 0xf0ffffff | 0x02000000
            	}
            	chain output {
            		type route hook output priority mangle; policy accept;
            		ct mark & 0x0f000000 == 0x01000000 meta mark set meta mark & 0xf0ffffff | 0x01000000
            		ct mark & 0x0f000000 == 0x02000000 meta mark set meta mark & 0xf0ffffff | 0x02000000
            	}
            }

            """,
            script);
    }

    [Fact]
    public void The_comment_fingerprints_the_rules_so_a_changed_interface_rebuilds_the_table()
    {
        var comment = SiteReturnMarkTable.Comment(Tunnels);

        Assert.StartsWith(SiteReturnMarkTable.CommentPrefix, comment, StringComparison.Ordinal);
        Assert.Equal(comment, SiteReturnMarkTable.Comment(Tunnels));
        Assert.NotEqual(comment, SiteReturnMarkTable.Comment([Tunnels[0], ("kwx", Tunnels[1].Item2)]));
    }
}

using Keepwire.Adapters.Nftables;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Reconciliation;

public sealed class NftElementDiffTests
{
    private static Dictionary<string, IReadOnlySet<NftElement>> Sets(params (string Set, NftElement[] Elements)[] sets) =>
        sets.ToDictionary(s => s.Set, s => (IReadOnlySet<NftElement>)s.Elements.ToHashSet());

    [Fact]
    public void Equal_elements_need_no_change()
    {
        var elements = NftRulesetRenderer.Render(NftRulesetRendererTests.Plane()).Elements;

        var diff = NftElementDiff.Compute(elements, elements);

        Assert.True(diff.IsEmpty);
        Assert.Equal(0, diff.ChangedElements);
        Assert.Equal("", diff.ToScript("inet", "keepwire"));
    }

    [Fact]
    public void A_repointed_key_is_deleted_and_added_back_in_one_script_deletions_first()
    {
        var actual = Sets(("fwd4", [new("198.51.100.10 . tcp . 443", "10.77.0.2 . 443"), new("198.51.100.10 . tcp . 80", "10.77.0.2 . 80")]));
        var desired = Sets(("fwd4", [new("198.51.100.10 . tcp . 443", "10.77.0.3 . 443"), new("198.51.100.10 . tcp . 80", "10.77.0.2 . 80")]));

        var diff = NftElementDiff.Compute(actual, desired);

        Assert.Equal(1, diff.ChangedElements);
        Assert.Equal(
            "delete element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 }\n" +
            "add element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 : 10.77.0.3 . 443 }\n",
            diff.ToScript("inet", "keepwire"));
    }

    [Fact]
    public void Adds_missing_and_removes_surplus_elements_of_every_set()
    {
        var actual = Sets(
            ("fwd4r", [new("198.51.100.10 . udp . 10000-10100", "10.77.0.2")]),
            ("snat4", [new("10.77.0.4")]),
            ("allow4", []));
        var desired = Sets(
            ("fwd4r", []),
            ("snat4", [new("10.77.0.4"), new("10.77.0.5")]),
            ("allow4", [new("10.77.0.0/24")]));

        var diff = NftElementDiff.Compute(actual, desired);

        Assert.Equal(3, diff.ChangedElements);
        Assert.Equal(
            "delete element inet keepwire fwd4r { 198.51.100.10 . udp . 10000-10100 }\n" +
            "add element inet keepwire allow4 { 10.77.0.0/24 }\n" +
            "add element inet keepwire snat4 { 10.77.0.5 }\n",
            diff.ToScript("inet", "keepwire"));
    }

    [Fact]
    public void A_failover_of_the_whole_plane_touches_only_the_forwarding_maps()
    {
        var before = NftRulesetRenderer.Render(NftRulesetRendererTests.Plane()).Elements;
        var after = NftRulesetRenderer.Render(NftRulesetRendererTests.Plane(backend4: "10.77.0.3", backend6: "fd77::3")).Elements;

        var diff = NftElementDiff.Compute(before, after);

        Assert.Equal(5, diff.ChangedElements);
        Assert.All(diff.Deletions.Concat(diff.Additions), c => Assert.StartsWith("fwd", c.Set, StringComparison.Ordinal));
        Assert.All(diff.Deletions, c => Assert.Null(c.Element.Value));
        Assert.Contains(new NftElementChange("fwd6r", new NftElement("2001:db8::10 . udp . 10000-10100", "fd77::3")), diff.Additions);
    }
}

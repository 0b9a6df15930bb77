using System.Net;
using Keepwire.Model;
using Keepwire.Onboarding.Editing;
using Keepwire.Tests.Network;

namespace Keepwire.Tests.Onboarding;

public sealed class ConfigEditsTests
{
    private static readonly WireGuardKey Key = TestKeys.Key(7);
    private static readonly SiteEntry Charlie = new("charlie", Key, 50, SiteMode.Agent, IPAddress.Parse("10.77.0.11"), IPAddress.Parse("fd77::11"), "a comment");

    [Fact]
    public void An_appended_block_site_looks_like_its_neighbours_and_every_other_line_stays()
    {
        var after = ConfigEdits.AppendSite(OnboardingFiles.Commented, Charlie);

        OnboardingFiles.AssertKeepsEveryLine(OnboardingFiles.Commented, after);
        Assert.Contains(
            "  - name: charlie\n    public_key: \"" + Key.Base64 + "\"  # a comment\n    priority: 50\n    tunnel: { ipv4: 10.77.0.11, ipv6: \"fd77::11\" }\n",
            after, StringComparison.Ordinal);
        // Right after bravo's last value, before bravo's trailing comment and the services' comment.
        Assert.True(after.IndexOf("name: charlie", StringComparison.Ordinal) < after.IndexOf("# a trailing comment inside bravo", StringComparison.Ordinal));
        var config = OnboardingFiles.Load(after);
        Assert.Equal(["alpha", "bravo", "charlie"], config.Sites.Select(s => s.Name));
        Assert.Equal(IPAddress.Parse("10.77.0.11"), config.FindSite("charlie")!.Tunnel.IPv4);
    }

    [Fact]
    public void A_site_in_a_file_of_flow_entries_is_a_flow_entry_with_the_same_indentation()
    {
        var after = ConfigEdits.AppendSite(OnboardingFiles.FlowItems, Charlie with { TunnelIPv6 = null });

        OnboardingFiles.AssertKeepsEveryLine(OnboardingFiles.FlowItems, after);
        Assert.EndsWith($"    - {{ name: charlie, public_key: \"{Key.Base64}\", priority: 50, tunnel: {{ ipv4: 10.77.0.11 }} }}  # a comment", after, StringComparison.Ordinal);
        Assert.Equal(2, OnboardingFiles.Load(after).Sites.Count);
    }

    [Fact]
    public void A_flow_list_of_sites_gets_one_more_flow_entry()
    {
        var before = OnboardingFiles.FlowItems[..OnboardingFiles.FlowItems.IndexOf("sites:", StringComparison.Ordinal)]
            + $"sites: [ {{ name: alpha, public_key: {Keepwire.Tests.Configuration.ConfigText.AlphaKey}, priority: 200 }} ]   # first";

        var after = ConfigEdits.AppendSite(before, Charlie with { TunnelIPv6 = null, Comment = null });

        Assert.Contains($", {{ name: charlie, public_key: \"{Key.Base64}\", priority: 50, tunnel: {{ ipv4: 10.77.0.11 }} }} ]   # first", after, StringComparison.Ordinal);
        Assert.Equal(2, OnboardingFiles.Load(after).Sites.Count);
    }

    [Fact]
    public void An_empty_site_list_becomes_a_block_list_indented_like_the_hubs_and_its_comment_stays()
    {
        var before = OnboardingFiles.FlowItems[..OnboardingFiles.FlowItems.IndexOf("sites:", StringComparison.Ordinal)] + "sites: []   # none yet\n";

        var after = ConfigEdits.AppendSite(before, Charlie with { TunnelIPv6 = null, Comment = null });

        Assert.EndsWith($"sites: # none yet\n    - name: charlie\n      public_key: \"{Key.Base64}\"\n      priority: 50\n      tunnel: {{ ipv4: 10.77.0.11 }}\n", after, StringComparison.Ordinal);
        Assert.Single(OnboardingFiles.Load(after).Sites);
    }

    [Fact]
    public void A_site_joins_a_services_flow_list_and_its_block_list_in_their_own_style()
    {
        var withCharlie = ConfigEdits.AppendSite(OnboardingFiles.Commented, Charlie);

        var after = ConfigEdits.AddSiteToService(ConfigEdits.AddSiteToService(withCharlie, "web", "charlie"), "mail", "charlie");

        OnboardingFiles.AssertKeepsEveryLine(withCharlie.Replace("[alpha, bravo]", "[alpha, bravo, charlie]", StringComparison.Ordinal), after);
        Assert.Contains("    sites: [alpha, bravo, charlie]   # both\n", after, StringComparison.Ordinal);
        Assert.Contains("    sites:\n      - alpha\n      - charlie\n      # only alpha for now", after, StringComparison.Ordinal);
        var config = OnboardingFiles.Load(after);
        Assert.Equal(["alpha", "bravo", "charlie"], config.FindService("web")!.Sites);
        Assert.Equal(["alpha", "charlie"], config.FindService("mail")!.Sites);
    }

    [Fact]
    public void Adding_a_site_to_a_service_it_is_in_already_changes_nothing_and_an_unknown_service_is_an_error()
    {
        Assert.Equal(OnboardingFiles.Commented, ConfigEdits.AddSiteToService(OnboardingFiles.Commented, "web", "alpha"));

        var error = Assert.Throws<ConfigEditException>(() => ConfigEdits.AddSiteToService(OnboardingFiles.Commented, "ftp", "alpha"));
        Assert.Contains("no service 'ftp'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alpha", "    public_key: {0}\n")]
    [InlineData("bravo", "    public_key: '{0}'\n")]
    public void A_public_key_is_replaced_in_its_own_quoting_and_nothing_else_moves(string site, string expectedLine)
    {
        var after = ConfigEdits.ReplaceSitePublicKey(OnboardingFiles.Commented, site, Key);

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expectedLine, Key.Base64), after, StringComparison.Ordinal);
        Assert.Equal(OnboardingFiles.Commented.Split('\n').Length, after.Split('\n').Length);
        Assert.Equal(Key, OnboardingFiles.Load(after).FindSite(site)!.PublicKey);
    }

    [Fact]
    public void Replacing_a_placeholder_drops_its_comment_in_block_and_flow_entries()
    {
        var block = ConfigEdits.AppendSite(OnboardingFiles.Commented, Charlie with { Comment = "placeholder until join (expires soon)" });
        var flow = ConfigEdits.AppendSite(OnboardingFiles.FlowItems, Charlie with { TunnelIPv6 = null, Comment = "placeholder until join (expires soon)" });
        var newKey = TestKeys.Key(9);

        var blockAfter = ConfigEdits.ReplaceSitePublicKey(block, "charlie", newKey, "placeholder until join");
        var flowAfter = ConfigEdits.ReplaceSitePublicKey(flow, "charlie", newKey, "placeholder until join");

        Assert.Contains($"    public_key: \"{newKey.Base64}\"\n    priority: 50", blockAfter, StringComparison.Ordinal);
        Assert.EndsWith($"public_key: \"{newKey.Base64}\", priority: 50, tunnel: {{ ipv4: 10.77.0.11 }} }}", flowAfter, StringComparison.Ordinal);
        Assert.DoesNotContain("placeholder", blockAfter + flowAfter, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_line_endings_stay_windows_line_endings()
    {
        var before = OnboardingFiles.Commented.Replace("\n", "\r\n", StringComparison.Ordinal);

        var after = ConfigEdits.AddSiteToService(ConfigEdits.AppendSite(before, Charlie), "mail", "charlie");

        Assert.DoesNotContain("\n", after.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(["alpha", "charlie"], OnboardingFiles.Load(after).FindService("mail")!.Sites);
    }
}

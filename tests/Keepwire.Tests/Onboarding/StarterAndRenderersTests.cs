using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Agentless;
using Keepwire.Onboarding.Init;
using Keepwire.Tests.Configuration;
using Keepwire.Tests.Network;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Onboarding;

public sealed class StarterAndRenderersTests : IDisposable
{
    private readonly OnboardingFiles files = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Init_writes_a_key_and_a_valid_starter_that_site_add_fills_in_keeping_its_comments()
    {
        var options = new HubInitOptions(
            "hub", new HostEndpoint("198.51.100.7", 51820), "eth0",
            new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64),
            Path.Combine(files.Directory, "keepwire.yaml"), Path.Combine(files.Directory, "hub.key"));

        var result = await HubInit.RunAsync(options, overwrite: false, time, CancellationToken.None);
        var starter = File.ReadAllText(options.ConfigPath);
        await SiteEnrollment.AddAsync(
            new SiteAddRequest(options.ConfigPath, files.StateDirectory, "hub", "zurich", 200, false, [], null, TimeSpan.FromHours(1), null), time, CancellationToken.None);

        Assert.Equal(KeyPair.PublicKeyOf(KeyFile.ReadPrivateKey(options.PrivateKeyFile)), result.PublicKey);
        Assert.Empty(result.Config.Sites);
        var text = File.ReadAllText(options.ConfigPath);
        OnboardingFiles.AssertKeepsEveryLine(starter.Replace("sites: []", "sites:", StringComparison.Ordinal), text);
        Assert.Equal(IPAddress.Parse("10.77.0.10"), OnboardingFiles.Load(text).FindSite("zurich")!.Tunnel.IPv4);
        await Assert.ThrowsAsync<Keepwire.Onboarding.Editing.ConfigEditException>(() => HubInit.RunAsync(options, overwrite: false, time, CancellationToken.None));
    }

    [Fact]
    public async Task Init_with_an_interface_names_it_in_the_starter_and_without_one_leaves_the_default()
    {
        var tunnel = new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, null, 0);
        var named = new HubInitOptions(
            "hub", new HostEndpoint("198.51.100.7", 51820), "eth0", tunnel,
            Path.Combine(files.Directory, "named.yaml"), Path.Combine(files.Directory, "named.key"))
        { Interface = "kwtest0" };
        var plain = named with { ConfigPath = Path.Combine(files.Directory, "plain.yaml"), PrivateKeyFile = Path.Combine(files.Directory, "plain.key"), Interface = null };

        var withInterface = await HubInit.RunAsync(named, overwrite: false, time, CancellationToken.None);
        var withoutInterface = await HubInit.RunAsync(plain, overwrite: false, time, CancellationToken.None);

        Assert.Equal("kwtest0", Assert.Single(withInterface.Config.Hubs).Interface);
        Assert.Equal("kw0", Assert.Single(withoutInterface.Config.Hubs).Interface);
    }

    [Fact]
    public void A_site_config_for_a_pair_holds_both_hubs_the_pair_settings_and_the_site_only()
    {
        var cluster = OnboardingFiles.Load(ConfigText.Pair.ToString());
        var alpha = cluster.FindSite("alpha")!;

        var text = SiteConfigRenderer.Render(cluster, alpha, "a header", "/etc/keepwire/alpha.key");

        var site = OnboardingFiles.Load(text);
        Assert.StartsWith("# a header\n", text, StringComparison.Ordinal);
        Assert.Equal(["hub1", "hub2"], site.Hubs.Select(h => h.Name));
        Assert.Equal(cluster.HubPair, site.HubPair);
        var only = Assert.Single(site.Sites);
        Assert.Equal((alpha.Tunnel, alpha.PublicKey, alpha.Interfaces["hub2"]), (only.Tunnel, only.PublicKey, only.Interfaces["hub2"]));
        Assert.Empty(site.Services);
    }

    [Fact]
    public void A_wg_quick_config_has_one_peer_per_hub_allowing_only_that_hubs_tunnel_addresses()
    {
        var cluster = OnboardingFiles.Load(ConfigText.Pair.ToString().Replace($"    public_key: {ConfigText.BravoKey}", $"    public_key: {ConfigText.BravoKey}\n    mode: snat", StringComparison.Ordinal));

        var text = WgQuickRenderer.Render(cluster, cluster.FindSite("bravo")!, TestKeys.Key(1));

        Assert.Contains($"PrivateKey = {TestKeys.Key(1)}\nAddress = 10.77.0.11/32, fd77::11/128\n", text, StringComparison.Ordinal);
        Assert.Contains($"PublicKey = {ConfigText.Hub2Key}\nEndpoint = 198.51.100.3:51820\nAllowedIPs = 10.77.0.2/32, fd77::2/128\nPersistentKeepalive = 25\n", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("[Peer]").Length - 1);
        Assert.Throws<ArgumentException>(() => WgQuickRenderer.Render(cluster, cluster.FindSite("alpha")!, null));
    }

    public void Dispose() => files.Dispose();
}

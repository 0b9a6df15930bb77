using System.Net;
using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class KeepalivedSettingsValidatorTests
{
    [Fact]
    public void The_sample_is_valid()
    {
        Assert.Empty(KeepalivedSettingsValidator.Validate(KeepalivedSamples.Hub1()));
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var settings = KeepalivedSamples.Hub1() with
        {
            InstanceName = "two words",
            Interface = "much-too-long-interface",
            VirtualRouterId = 0,
            Priority = 255,
            AdvertInterval = TimeSpan.FromMilliseconds(105),
            UnicastPeer = IPAddress.Parse("2001:db8::3"),
            TrackFile = "relative/health",
            DaemonPidFile = "/run/with space/hub.pid",
            DaemonAliveGrace = TimeSpan.Zero,
        };

        var errors = KeepalivedSettingsValidator.Validate(settings);

        Assert.Equal(9, errors.Count);
        Assert.Contains(errors, error => error.Contains("instance name 'two words'"));
        Assert.Contains(errors, error => error.Contains("virtual_router_id 0"));
        Assert.Contains(errors, error => error.Contains("priority 255"));
        Assert.Contains(errors, error => error.Contains("advert interval 105 ms"));
        Assert.Contains(errors, error => error.Contains("different families"));
        Assert.Contains(errors, error => error.Contains("track file 'relative/health'"));
        Assert.Contains(errors, error => error.Contains("daemon pid file '/run/with space/hub.pid'"));
    }

    [Fact]
    public void A_pair_needs_a_vip_of_its_own_family_to_advertise()
    {
        var settings = KeepalivedSamples.Hub1() with { Ipv4Vips = [] };

        var error = Assert.Throws<KeepalivedException>(() => KeepalivedConfigRenderer.Render(settings));

        Assert.Equal(KeepalivedFailure.InvalidSettings, error.Reason);
        Assert.Contains("at least one IPv4 VIP", error.Message);
    }

    [Fact]
    public void A_vip_in_the_wrong_list_is_an_error()
    {
        var settings = KeepalivedSamples.Hub1() with { Ipv6Vips = [IPAddress.Parse("203.0.113.12")] };

        Assert.Contains("IPv6 VIP list holds 203.0.113.12, which is not IPv6", KeepalivedSettingsValidator.Validate(settings));
    }
}

using System.Net;
using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class KeepalivedConfigRendererTests
{
    [Fact]
    public void Renders_a_vrrpv3_unicast_backup_nopreempt_instance_tracking_the_daemon_and_the_health_file()
    {
        const string expected = """
            # Written by Keepwire; changes here are overwritten. See docs/configuration.md (hub_pair).
            global_defs {
                router_id keepwire-keepwire
                vrrp_version 3
                script_user root
                enable_script_security
                vrrp_check_unicast_src
                vrrp_higher_prio_send_advert
                max_auto_priority 1
            }

            vrrp_script keepwire_daemon_alive {
                script "/usr/bin/pgrep -F /run/keepwire/hub.pid"
                interval 1
                timeout 1
                fall 3
                rise 1
                weight 0
            }

            track_file keepwire_health {
                file "/run/keepwire/keepalived/keepwire-health"
                weight 0
            }

            vrrp_instance keepwire {
                state BACKUP
                nopreempt
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 0.10
                unicast_src_ip 198.51.100.2
                unicast_peer {
                    198.51.100.3
                }
                virtual_ipaddress {
                    203.0.113.10/32 dev eth0
                    203.0.113.11/32 dev eth0
                }
                virtual_ipaddress_excluded {
                    2001:db8:5::10/128 dev eth0
                }
                garp_master_repeat 3
                garp_master_delay 1
                garp_master_refresh 10
                garp_master_refresh_repeat 1
                garp_lower_prio_repeat 3
                track_script {
                    keepwire_daemon_alive
                }
                track_file {
                    keepwire_health
                }
            }

            """;

        Assert.Equal(expected, KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1()));
    }

    [Fact]
    public void Ipv6_pair_addresses_advertise_the_ipv6_vips_and_carry_the_ipv4_ones_as_excluded()
    {
        var settings = KeepalivedSamples.Hub1() with
        {
            UnicastSource = IPAddress.Parse("2001:db8::2"),
            UnicastPeer = IPAddress.Parse("2001:db8::3"),
        };

        var config = KeepalivedConfigRenderer.Render(settings);

        Assert.Contains("""
                unicast_src_ip 2001:db8::2
                unicast_peer {
                    2001:db8::3
                }
                virtual_ipaddress {
                    2001:db8:5::10/128 dev eth0
                }
                virtual_ipaddress_excluded {
                    203.0.113.10/32 dev eth0
                    203.0.113.11/32 dev eth0
                }
            """, config);
    }

    [Fact]
    public void Without_vips_of_the_other_family_there_is_no_excluded_block()
    {
        var config = KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1() with { Ipv6Vips = [] });

        Assert.DoesNotContain("virtual_ipaddress_excluded", config);
    }

    [Theory]
    [InlineData(10, "0.01")]
    [InlineData(100, "0.10")]
    [InlineData(1000, "1.00")]
    [InlineData(2500, "2.50")]
    [InlineData(40000, "40.00")]
    public void Advert_interval_is_seconds_with_two_decimals(int milliseconds, string rendered)
    {
        var config = KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1() with { AdvertInterval = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.Contains($"    advert_int {rendered}\n", config);
    }

    [Theory]
    [InlineData(1000, 1)]
    [InlineData(2000, 2)]
    [InlineData(2500, 3)]
    [InlineData(3000, 3)]
    [InlineData(10000, 10)]
    public void The_daemon_check_fails_over_after_the_grace_in_one_second_checks(int graceMilliseconds, int fall)
    {
        var config = KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1() with { DaemonAliveGrace = TimeSpan.FromMilliseconds(graceMilliseconds) });

        Assert.Contains($"    fall {fall}\n", config);
    }

    [Fact]
    public void The_same_settings_render_the_same_text()
    {
        Assert.Equal(KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1()), KeepalivedConfigRenderer.Render(KeepalivedSamples.Hub1()));
    }
}

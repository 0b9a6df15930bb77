using System.Net;
using Keepwire.Adapters.Conntrackd;

namespace Keepwire.Tests.Adapters.Conntrackd;

public sealed class ConntrackdConfigRendererTests
{
    private static readonly ConntrackdPaths Paths = new("/run/keepwire/conntrackd");

    internal static ConntrackdSettings Hub1() => new(
        Interface: "eth0",
        LocalAddress: IPAddress.Parse("198.51.100.2"),
        PeerAddress: IPAddress.Parse("198.51.100.3"),
        Port: ConntrackdSettings.DefaultPort,
        LocalAddresses:
        [
            IPAddress.Parse("198.51.100.2"), IPAddress.Parse("10.77.0.1"), IPAddress.Parse("fd77::1"),
            IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8:5::10"),
        ]);

    [Fact]
    public void Renders_ftfw_over_udp_unicast_syncing_only_forwarded_tcp_and_udp_flows()
    {
        const string expected = """
            # Written by Keepwire; changes here are overwritten. See docs/configuration.md (hub_pair.conntrackd).
            Sync {
            	Mode FTFW {
            	}
            	UDP {
            		IPv4_address 198.51.100.2
            		IPv4_Destination_Address 198.51.100.3
            		Port 3780
            		Interface eth0
            		SndSocketBuffer 1249280
            		RcvSocketBuffer 1249280
            		Checksum on
            	}
            }
            General {
            	Systemd off
            	HashSize 32768
            	HashLimit 131072
            	LogFile off
            	Syslog on
            	LockFile /run/keepwire/conntrackd/conntrackd.lock
            	UNIX {
            		Path /run/keepwire/conntrackd/conntrackd.ctl
            	}
            	NetlinkBufferSize 2097152
            	NetlinkBufferSizeMaxGrowth 8388608
            	Filter From Userspace {
            		Protocol Accept {
            			TCP
            			UDP
            		}
            		Address Ignore {
            			IPv4_address 127.0.0.1
            			IPv6_address ::1
            			IPv4_address 198.51.100.2
            			IPv4_address 198.51.100.3
            			IPv4_address 10.77.0.1
            			IPv6_address fd77::1
            			IPv4_address 203.0.113.10
            			IPv6_address 2001:db8:5::10
            		}
            	}
            }

            """;

        Assert.Equal(expected, ConntrackdConfigRenderer.Render(Hub1(), Paths));
    }

    [Fact]
    public void Ipv6_pair_addresses_make_an_ipv6_channel()
    {
        var settings = Hub1() with { LocalAddress = IPAddress.Parse("2001:db8::2"), PeerAddress = IPAddress.Parse("2001:db8::3"), Port = 3781 };

        var config = ConntrackdConfigRenderer.Render(settings, Paths);

        Assert.Contains("\t\tIPv6_address 2001:db8::2\n\t\tIPv6_Destination_Address 2001:db8::3\n\t\tPort 3781\n", config);
    }

    [Fact]
    public void Mixed_families_are_refused()
    {
        var settings = Hub1() with { PeerAddress = IPAddress.Parse("2001:db8::3") };

        var error = Assert.Throws<ArgumentException>(() => ConntrackdConfigRenderer.Render(settings, Paths));

        Assert.Contains("different families", error.Message);
    }
}

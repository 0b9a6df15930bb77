using Keepwire.Hub.Pair;

namespace Keepwire.Tests.Hub;

/// <summary>The runtime files of a pair hub, where deploy/systemd/README.md tells operators to look for them.</summary>
public sealed class HubRunPathsTests
{
    [Fact]
    public void Under_systemd_the_files_are_beside_the_default_control_socket_and_named_after_the_node()
    {
        var paths = HubRunPaths.For("/run/keepwire/control.sock", "hub1");

        Assert.Equal("/run/keepwire/hub1.pid", paths.DaemonPidFile);
        Assert.Equal("/run/keepwire/keepalived-hub1/keepalived.conf", paths.Keepalived.ConfigFile);
        Assert.Equal("/run/keepwire/keepalived-hub1/keepwire-health", paths.Keepalived.TrackFile);
        Assert.Equal("/run/keepwire/conntrackd-hub1/conntrackd.conf", paths.Conntrackd.ConfigFile);
    }

    [Fact]
    public void Two_hubs_on_one_machine_with_sockets_in_one_directory_share_no_file()
    {
        var hub1 = HubRunPaths.For("/run/keepwire-lab/kwp/hub1.sock", "hub1");
        var hub2 = HubRunPaths.For("/run/keepwire-lab/kwp/hub2.sock", "hub2");

        string[] Files(HubRunPaths p) => [p.DaemonPidFile, p.Keepalived.ConfigFile, p.Keepalived.PidFile, p.Keepalived.TrackFile, p.Conntrackd.LockFile, p.Conntrackd.ControlSocket];
        Assert.Empty(Files(hub1).Intersect(Files(hub2)));
    }
}

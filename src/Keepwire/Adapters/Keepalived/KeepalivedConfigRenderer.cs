using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Renders keepalived.conf for one hub of a pair: VRRPv3, one instance, unicast to the other hub.
/// Pure: the same settings always give the same text, so the supervisor can compare texts to decide
/// whether keepalived needs a reload.
/// </summary>
public static class KeepalivedConfigRenderer
{
    /// <summary>The name of the track_file block (the health Keepwire writes).</summary>
    public const string TrackFileName = "keepwire_health";

    /// <summary>The name of the vrrp_script that checks the Keepwire daemon is alive.</summary>
    public const string DaemonScriptName = "keepwire_daemon_alive";

    /// <summary>
    /// <c>pgrep -F FILE</c> exits 0 only while the process named in the pid file exists. A program, not a
    /// shell line: keepalived runs it without a shell, and <c>enable_script_security</c> accepts it because
    /// the path is root-owned.
    /// </summary>
    public const string Pgrep = "/usr/bin/pgrep";

    /// <summary>keepalived runs the daemon check every second: a crash is noticed quickly, and one pgrep a second costs nothing.</summary>
    public static readonly TimeSpan DaemonCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Consecutive failed checks before keepalived gives the VIPs up (FAULT). A daemon that is gone for less
    /// than (fall - 1) checks never moves the VIPs; one gone for fall checks always does. With the default
    /// 3 s grace: a systemd restart (RestartSec=1 plus start-up, under 2 s) keeps them, a dead daemon loses
    /// them about 3 s after it died (3.5 s measured: checks are not aligned with the crash).
    /// </summary>
    public static int DaemonCheckFall(TimeSpan grace) => Math.Max(1, (int)Math.Ceiling(grace / DaemonCheckInterval));

    public static string Render(KeepalivedSettings settings)
    {
        KeepalivedSettingsValidator.EnsureValid(settings);
        var text = new StringBuilder();
        text.AppendLine("# Written by Keepwire; changes here are overwritten. See docs/configuration.md (hub_pair).");
        RenderGlobals(text, settings);
        RenderDaemonScript(text, settings);
        RenderTrackFile(text, settings);
        RenderInstance(text, settings);
        return text.ToString();
    }

    private static void RenderGlobals(StringBuilder text, KeepalivedSettings settings)
    {
        text.AppendLine("global_defs {");
        text.AppendLine($"    router_id keepwire-{settings.InstanceName}");
        // VRRPv3: sub-second advert intervals (centiseconds); v2 only has whole seconds.
        text.AppendLine("    vrrp_version 3");
        // The daemon check runs as root (it reads a root-owned pid file); with script security on, keepalived
        // refuses scripts a non-root user could replace, and does not log a security warning at every start.
        text.AppendLine("    script_user root");
        text.AppendLine("    enable_script_security");
        // Only the other hub may send us adverts: a stray advert for the same router id is ignored.
        text.AppendLine("    vrrp_check_unicast_src");
        // When two masters meet after a partition, the one that yields sends one last advert first, so the
        // one that stays re-announces its VIPs (garp_lower_prio_repeat) and neighbours that last heard the
        // loser's ARP replies are corrected at once.
        text.AppendLine("    vrrp_higher_prio_send_advert");
        // With sub-second adverts a starved keepalived on a busy master lets the peer take over for nothing.
        // keepalived switches itself to realtime scheduling (SCHED_RR priority 1, nothing higher) only when it
        // notices it ran late; without this it logs a notice at every start suggesting exactly that.
        text.AppendLine("    max_auto_priority 1");
        text.AppendLine("}");
        text.AppendLine();
    }

    private static void RenderDaemonScript(StringBuilder text, KeepalivedSettings settings)
    {
        text.AppendLine($"vrrp_script {DaemonScriptName} {{");
        text.AppendLine($"    script \"{Pgrep} -F {settings.DaemonPidFile}\"");
        text.AppendLine($"    interval {(int)DaemonCheckInterval.TotalSeconds}");
        text.AppendLine($"    timeout {(int)DaemonCheckInterval.TotalSeconds}");
        text.AppendLine($"    fall {DaemonCheckFall(settings.DaemonAliveGrace)}");
        text.AppendLine("    rise 1");
        // Weight 0: a failing daemon check is FAULT (give the VIPs up), not a lower priority the peer may
        // or may not outbid.
        text.AppendLine("    weight 0");
        text.AppendLine("}");
        text.AppendLine();
    }

    private static void RenderTrackFile(StringBuilder text, KeepalivedSettings settings)
    {
        // Weight 0: any non-zero number in the file is FAULT. keepalived reads the leading number only, so
        // the file can carry a reason after it. A missing file reads as 0: the daemon check still guards.
        text.AppendLine($"track_file {TrackFileName} {{");
        text.AppendLine($"    file \"{settings.TrackFile}\"");
        text.AppendLine("    weight 0");
        text.AppendLine("}");
        text.AppendLine();
    }

    private static void RenderInstance(StringBuilder text, KeepalivedSettings settings)
    {
        var advertisesIpv6 = settings.UnicastSource.AddressFamily == AddressFamily.InterNetworkV6;
        var advertised = advertisesIpv6 ? settings.Ipv6Vips : settings.Ipv4Vips;
        var excluded = advertisesIpv6 ? settings.Ipv4Vips : settings.Ipv6Vips;

        text.AppendLine($"vrrp_instance {settings.InstanceName} {{");
        // Both hubs start as BACKUP with nopreempt: whoever holds the VIPs keeps them, and a recovered hub
        // with the higher priority does not pull them back (that would be a second failover for nothing).
        // Priority still decides an election between two BACKUPs and a split brain between two MASTERs.
        text.AppendLine("    state BACKUP");
        text.AppendLine("    nopreempt");
        text.AppendLine($"    interface {settings.Interface}");
        text.AppendLine($"    virtual_router_id {settings.VirtualRouterId}");
        text.AppendLine($"    priority {settings.Priority}");
        text.AppendLine($"    advert_int {settings.AdvertInterval.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)}");
        // Unicast: works where the provider filters multicast (most VPS networks), and only the peer hears us.
        text.AppendLine($"    unicast_src_ip {settings.UnicastSource}");
        text.AppendLine("    unicast_peer {");
        text.AppendLine($"        {settings.UnicastPeer}");
        text.AppendLine("    }");
        // A VRRPv3 advert carries addresses of its own family (the pair addresses' family); the VIPs of the
        // other family move with the instance as "excluded" addresses, which keepalived adds and removes
        // (and announces with gratuitous ARP / unsolicited NA) exactly like the advertised ones.
        RenderAddresses(text, "virtual_ipaddress", advertised, settings.Interface);
        if (excluded.Count > 0)
            RenderAddresses(text, "virtual_ipaddress_excluded", excluded, settings.Interface);
        if (settings.AnnounceVips)
            RenderAnnouncements(text);
        else
            text.AppendLine("    # vip_mover provider: the provider routes the VIPs to the holder's own address (Keepwire's provider hook); no announcements to repeat");
        text.AppendLine("    track_script {");
        text.AppendLine($"        {DaemonScriptName}");
        text.AppendLine("    }");
        text.AppendLine("    track_file {");
        text.AppendLine($"        {TrackFileName}");
        text.AppendLine("    }");
        text.AppendLine("}");
    }

    /// <summary>
    /// Gratuitous ARP / unsolicited NA. keepalived sends the first burst the moment it becomes MASTER whatever
    /// these say; they decide how many, and what follows.
    /// </summary>
    private static void RenderAnnouncements(StringBuilder text)
    {
        // Three per burst: one lost frame does not leave a neighbour pointing at the old hub.
        text.AppendLine("    garp_master_repeat 3");
        // A second burst 1 s after the takeover (0 would mean no second burst at all, not "at once"): corrects
        // a neighbour that re-learned the old hub's MAC from a packet the old hub sent while it let go.
        text.AppendLine("    garp_master_delay 1");
        // Re-announce every 10 s while MASTER: a neighbour that missed the takeover, or kept the other
        // hub's MAC through a split brain, is corrected within 10 s rather than at its ARP cache expiry.
        text.AppendLine("    garp_master_refresh 10");
        text.AppendLine("    garp_master_refresh_repeat 1");
        // Hearing a lower-priority master (a healed split brain): re-announce at once, three times, and again
        // after garp_master_delay (the lower-priority delay defaults to it).
        text.AppendLine("    garp_lower_prio_repeat 3");
    }

    private static void RenderAddresses(StringBuilder text, string block, IReadOnlyList<IPAddress> addresses, string device)
    {
        text.AppendLine($"    {block} {{");
        foreach (var address in addresses)
        {
            var prefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            text.AppendLine($"        {address}/{prefix} dev {device}");
        }
        text.AppendLine("    }");
    }
}

namespace Keepwire.Reconciliation;

/// <summary>Names in the one nftables table Keepwire owns. Nothing outside this table is ever touched.</summary>
public static class NftForwardingTable
{
    public const string Family = "inet";
    public const string Name = "keepwire";

    /// <summary>IPv4 VIP . protocol . single port → backend . backend port.</summary>
    public const string Forward4 = "fwd4";

    /// <summary>IPv4 VIP . protocol . port range → backend (ports kept).</summary>
    public const string Forward4Ranges = "fwd4r";

    public const string Forward6 = "fwd6";
    public const string Forward6Ranges = "fwd6r";

    /// <summary>Tunnel addresses of SNAT-mode sites: traffic to them is masqueraded.</summary>
    public const string Snat4 = "snat4";
    public const string Snat6 = "snat6";

    /// <summary>Sources allowed into the tunnel without DNAT (the hub's <c>allow-forward-from</c>).</summary>
    public const string AllowForward4 = "allow4";
    public const string AllowForward6 = "allow6";

    /// <summary>Sites whose refusals were logged lately (the kernel fills them to limit the log per site); not Keepwire's elements.</summary>
    public const string Refusers4 = "refusers4";
    public const string Refusers6 = "refusers6";

    /// <summary>
    /// The NFLOG group the table logs the sites' refusals to, which the hub reads (<see cref="Adapters.Nflog.NflogRefusalListener"/>).
    /// A group only one process can bind: chosen far from the small numbers ulogd and the docs use.
    /// </summary>
    public const ushort RefusalLogGroup = 18230;

    /// <summary>Sets the kernel fills itself (dynamic sets of the rules): in the table, but never diffed or written by Keepwire.</summary>
    public static IReadOnlyList<string> KernelSetNames { get; } = [Refusers4, Refusers6];

    public static IReadOnlyList<string> SetNames { get; } =
        [Forward4, Forward4Ranges, Forward6, Forward6Ranges, Snat4, Snat6, AllowForward4, AllowForward6];

    /// <summary>Prefix of the table comment that carries the schema fingerprint.</summary>
    public const string CommentPrefix = "keepwire schema ";
}

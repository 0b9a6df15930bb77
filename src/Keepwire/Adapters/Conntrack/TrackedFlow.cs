using System.Net;
using Keepwire.Model;

namespace Keepwire.Adapters.Conntrack;

/// <summary>One conntrack entry as far as a flush needs it: its protocol, and its original destination and port (a VIP and public port when the hub DNATed it).</summary>
public sealed record TrackedFlow(TransportProtocol Protocol, IPAddress Destination, int DestinationPort);

using System.Net;

namespace Keepwire.Model;

/// <summary>
/// Where a node serves its Prometheus metrics (<c>metrics: { listen: 127.0.0.1:19586 }</c>). Every node of the
/// file (each hub, each site agent) listens on this address in its own network stack.
/// </summary>
/// <param name="Listen">An address of this node and a TCP port; loopback unless the operator says otherwise.</param>
public sealed record MetricsSettings(IPEndPoint Listen)
{
    /// <summary>
    /// Not 9586: that is wireguard_exporter's (MindFlavor's and mdlayher's), the exporter a hub's operator is the
    /// most likely to run beside Keepwire, and Prometheus' exporter range 9100–9999 is allocated to the last port.
    /// 19586 is outside it and in no registry Debian ships (/etc/services).
    /// </summary>
    public const int DefaultPort = 19586;

    /// <summary>Loopback: metrics name every service and site, so reaching them from elsewhere is the operator's choice.</summary>
    public static readonly MetricsSettings Default = new(new IPEndPoint(IPAddress.Loopback, DefaultPort));
}

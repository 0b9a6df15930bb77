using System.Net;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The address family a test runs over, named "IPv4" or "IPv6" in theory data so test names read well;
/// picks the lab's addresses of that family and spells them the way curl and socat want them.
/// </summary>
public static class Family
{
    public static IPAddress Pick(string family, DualStackAddress address) => family switch
    {
        "IPv4" => address.IPv4,
        "IPv6" => address.IPv6,
        _ => throw new ArgumentException($"unknown family '{family}' (IPv4 or IPv6)", nameof(family)),
    };

    /// <summary>The address as a URL host or socat host: IPv6 in brackets.</summary>
    public static string Host(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    public static string Url(IPAddress address, int port = 80, string path = "/") =>
        port == 80 ? $"http://{Host(address)}{path}" : $"http://{Host(address)}:{port}{path}";

    /// <summary>socat's address type for a protocol ("TCP", "UDP") over this address's family.</summary>
    public static string Socat(string protocol, IPAddress address) =>
        protocol + (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "6" : "4");
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads the top-level <c>metrics:</c> mapping: where every node serves its Prometheus metrics.</summary>
internal static class MetricsReader
{
    public static readonly string[] Keys = ["listen"];

    private const string Example = "write an address of this node and a TCP port, e.g. 127.0.0.1:19586 or [::1]:19586";

    /// <summary>Null when the file has no metrics key (no listener), or when it is wrong (reported).</summary>
    public static MetricsSettings? Read(MappingReader top)
    {
        if (top.KeyNode("metrics") is null)
            return null;
        // 'metrics:' with nothing after it asks for metrics with every default.
        if (top.Optional("metrics") is not { } node)
            return MetricsSettings.Default;
        if (MappingReader.Open(node, "metrics", Keys, top.Errors) is not { } map)
            return null;
        if (map.Optional("listen") is not { } listenNode)
            return MetricsSettings.Default;
        if (YamlValues.String(listenNode, "listen", map.Errors) is not { } text)
            return null;
        if (ParseListen(text, out var problem) is { } listen)
            return new MetricsSettings(listen);
        map.Errors.Report(listenNode, problem!.Message, problem.Hint);
        return null;
    }

    /// <summary><c>address:port</c> or <c>[ipv6]:port</c>, with a literal address: a listener binds an address, not a name.</summary>
    internal static IPEndPoint? ParseListen(string text, out Problem? problem)
    {
        problem = null;
        string host;
        string? portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            host = close < 0 ? text[1..] : text[1..close];
            portText = close >= 0 && text[(close + 1)..].StartsWith(':') ? text[(close + 2)..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':') != colon)
            {
                problem = new Problem($"metrics listen '{text}' looks like a bare IPv6 address", "put IPv6 addresses in brackets: [::1]:19586");
                return null;
            }
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        if (!AddressSyntax.TryParseAddress(host, out var address))
        {
            problem = new Problem($"metrics listen '{text}': '{host}' is not an IP address", Example);
            return null;
        }
        if (text.StartsWith('[') != (address.AddressFamily == AddressFamily.InterNetworkV6))
        {
            problem = new Problem($"metrics listen '{text}': only IPv6 addresses go in brackets", Example);
            return null;
        }
        if (portText is null)
        {
            problem = new Problem($"metrics listen '{text}' has no port", Example);
            return null;
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problem = new Problem($"metrics listen '{text}' has an invalid port '{portText}'", $"use a TCP port from 1 to 65535 (Keepwire's is {MetricsSettings.DefaultPort})");
            return null;
        }
        return new IPEndPoint(address, port);
    }
}

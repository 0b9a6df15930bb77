using System.Globalization;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>Parses <c>host:port</c> and <c>[ipv6]:port</c>, where host is a DNS name or an IPv4 address.</summary>
internal static class EndpointSyntax
{
    private const string Example = "write host:port, e.g. hub.example.net:51820, 192.0.2.1:51820 or [2001:db8::1]:51820";

    public static HostEndpoint? Parse(string text, out Problem? problem)
    {
        problem = null;
        string host;
        string? portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                problem = new Problem($"endpoint '{text}' has no closing ']'", Example);
                return null;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            portText = rest.StartsWith(':') ? rest[1..] : null;
            if (!AddressSyntax.TryParseAddress(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = new Problem($"'{host}' in endpoint '{text}' is not an IPv6 address", Example);
                return null;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':') != colon)
            {
                problem = new Problem($"endpoint '{text}' looks like a bare IPv6 address", "put IPv6 addresses in brackets: [2001:db8::1]:51820");
                return null;
            }

            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
            if (CheckHost(host) is { } hostProblem)
            {
                problem = hostProblem;
                return null;
            }
        }

        if (portText is null)
        {
            problem = new Problem($"endpoint '{text}' has no port", Example);
            return null;
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problem = new Problem($"endpoint '{text}' has an invalid port '{portText}'", "use a UDP port from 1 to 65535");
            return null;
        }

        return new HostEndpoint(host, port);
    }

    private static Problem? CheckHost(string host)
    {
        if (AddressSyntax.LooksLikeIPv4(host))
        {
            return AddressSyntax.TryParseAddress(host, out _)
                ? null
                : new Problem($"'{host}' is not a valid IPv4 address", Example);
        }

        var name = host.EndsWith('.') ? host[..^1] : host;
        var labels = name.Split('.');
        var valid = name.Length is > 0 and <= 253 && labels.All(label =>
            label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && !label.StartsWith('-') && !label.EndsWith('-'));
        return valid ? null : new Problem($"'{host}' is not a valid host name", Example);
    }
}

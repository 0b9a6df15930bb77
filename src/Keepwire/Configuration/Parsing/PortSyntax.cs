using System.Globalization;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>Parses <c>tcp/443</c>, <c>udp/5000-5010</c> and <c>tcp/8443:443</c>.</summary>
internal static class PortSyntax
{
    private const string Forms = "write proto/port, proto/first-last or proto/public:backend, e.g. tcp/443, udp/5000-5010, tcp/8443:443";

    public static PortRule? Parse(string text, out Problem? problem)
    {
        problem = null;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            problem = new Problem($"port '{text}' has no protocol", Forms);
            return null;
        }

        TransportProtocol protocol;
        switch (text[..slash].ToLowerInvariant())
        {
            case "tcp":
                protocol = TransportProtocol.Tcp;
                break;
            case "udp":
                protocol = TransportProtocol.Udp;
                break;
            default:
                problem = new Problem($"unknown protocol '{text[..slash]}' in port '{text}'", "use tcp or udp");
                return null;
        }

        var spec = text[(slash + 1)..];
        var dash = spec.IndexOf('-');
        var colon = spec.IndexOf(':');
        if (dash >= 0 && colon >= 0)
        {
            problem = new Problem($"port range '{text}' cannot have a backend port", "a range keeps its port numbers; list single ports to remap them");
            return null;
        }

        if (dash >= 0)
        {
            if (Number(spec[..dash], text, out problem) is not { } first || Number(spec[(dash + 1)..], text, out problem) is not { } last)
                return null;
            if (last < first)
            {
                problem = new Problem($"port range '{text}' is reversed", $"write {text[..slash]}/{last}-{first}");
                return null;
            }

            return new PortRule(protocol, first, last, null);
        }

        if (colon >= 0)
        {
            if (Number(spec[..colon], text, out problem) is not { } publicPort || Number(spec[(colon + 1)..], text, out problem) is not { } backend)
                return null;
            return new PortRule(protocol, publicPort, publicPort, backend);
        }

        return Number(spec, text, out problem) is { } port ? new PortRule(protocol, port, port, null) : null;
    }

    private static int? Number(string part, string whole, out Problem? problem)
    {
        problem = null;
        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            problem = new Problem($"'{part}' in port '{whole}' is not a port number", Forms);
            return null;
        }

        if (port is < 1 or > 65535)
        {
            problem = new Problem($"port {port} in '{whole}' is out of range", "ports go from 1 to 65535");
            return null;
        }

        return port;
    }
}

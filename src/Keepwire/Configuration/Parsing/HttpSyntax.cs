using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// What an HTTP check sends on the wire: the Host header and the request path. Both go into every probe's request,
/// so a value the HTTP stack refuses (a space, a line break) would fail every probe and the service would never
/// get a site; the rules here are RFC 3986's, which is a subset of what .NET's HTTP client accepts.
/// </summary>
internal static class HttpSyntax
{
    private const string HostHint = "write a host name or address, optionally with a port: e.g. host: www.example.net or host: \"[2001:db8::1]:8080\"";

    private static readonly SearchValues<char> HostNameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    /// <summary>A host name's characters, and what brackets an IPv6 address and separates a port.</summary>
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.[]:");

    /// <summary>RFC 3986 unreserved and sub-delims, plus ':' '@' '/' '?' of a path and query; '%' is checked separately.</summary>
    private const string PathPunctuation = "-._~!$&'()*+,;=:@/?";

    /// <summary><c>host [ ":" port ]</c>, host being a DNS name, an IPv4 address, or an IPv6 address in brackets.</summary>
    public static Problem? CheckHost(string text)
    {
        if (text.AsSpan().IndexOfAnyExcept(HostChars) is var bad and >= 0)
            return new Problem($"host '{text}' is not a valid HTTP Host: it contains {Describe(text[bad])}", HostHint);
        var (host, port) = SplitPort(text);
        if (port is not null && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535))
            return new Problem($"host '{text}' has an invalid port '{port}'", "use a port from 1 to 65535, or none");
        if (host.StartsWith('['))
        {
            return host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
                ? null
                : new Problem($"host '{text}' is not a valid HTTP Host: '{host}' is not an IPv6 address in brackets", HostHint);
        }

        if (host.Length == 0)
            return new Problem($"host '{text}' has no host name", HostHint);
        if (host.AsSpan().IndexOfAnyExcept(HostNameChars) is var misplaced and >= 0)
            return new Problem($"host '{text}' is not a valid HTTP Host: it contains {Describe(host[misplaced])}", HostHint);
        // A DNS host name (an IPv4 address passes as one): labels of 1 to 63 letters, digits and '-' that do not
        // start or end with '-', 253 characters in all, an optional final dot.
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length > 253 || name.Split('.').Any(label => label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'))
            return new Problem($"host '{text}' is not a valid DNS name", "labels between dots are 1 to 63 letters, digits or '-', and do not start or end with '-'");
        return null;
    }

    /// <summary>
    /// The path and query of the request: printable ASCII of RFC 3986, '%' only as the start of %XX, and no '.' or
    /// '..' segment (the HTTP client resolves those, so the request would go to another path than written).
    /// </summary>
    public static Problem? CheckPath(string text)
    {
        var path = text.Split('?', 2)[0];
        // Checked decoded: the client resolves "%2e" as it does ".".
        if (path.Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or ".."))
            return new Problem($"path '{text}' has a '.' or '..' segment, which the HTTP client would resolve away", "write the path it stands for");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                {
                    i += 2;
                    continue;
                }

                return new Problem($"path '{text}' has a '%' that does not start a %XX escape", "write a literal '%' as %25");
            }

            if (!char.IsAsciiLetterOrDigit(c) && !PathPunctuation.Contains(c))
            {
                return new Problem($"path '{text}' contains {Describe(c)}, which cannot go into a request line as it is",
                    c == '#' ? "a fragment is never sent to the server: remove it" : "percent-encode it, e.g. a space as %20");
            }
        }

        return null;
    }

    private static (string Host, string? Port) SplitPort(string text)
    {
        var closing = text.LastIndexOf(']');
        var colon = text.LastIndexOf(':');
        // A colon inside brackets belongs to the IPv6 address; more than one colon without brackets is no host:port.
        if (colon <= closing || (closing < 0 && text.IndexOf(':') != colon))
            return (text, null);
        return (text[..colon], text[(colon + 1)..]);
    }

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\r' or '\n' => "a line break",
        '\t' => "a tab",
        _ when char.IsControl(c) => $"the control character U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}

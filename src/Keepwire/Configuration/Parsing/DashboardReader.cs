using System.Net;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads the top-level <c>dashboard:</c> mapping; <c>dashboard:</c> alone serves on loopback with the defaults.</summary>
internal static class DashboardReader
{
    public static readonly string[] Keys = ["listen", "token_file"];

    public static DashboardSettings? Read(MappingReader top, string baseDirectory)
    {
        if (top.KeyNode("dashboard") is not { } keyNode)
            return null;
        var origin = $"{top.Errors.File}:{keyNode.Start.Line}";
        var loopback = new IPEndPoint(IPAddress.Loopback, DashboardSettings.DefaultPort);
        if (top.Optional("dashboard") is not { } node)
            return new DashboardSettings(loopback, null, origin);
        if (MappingReader.Open(node, "dashboard", Keys, top.Errors) is not { } map)
            return null;

        var before = map.Errors.Count;
        var listen = loopback;
        if (map.OptionalString("listen") is { } text)
        {
            if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0)
                listen = parsed;
            else
                map.Errors.Report(map.PositionOf("listen"), $"listen '{text}' is not an address and port", $"write e.g. 127.0.0.1:{DashboardSettings.DefaultPort} or [::1]:{DashboardSettings.DefaultPort}");
        }

        var tokenFile = map.OptionalString("token_file") is { } path ? Path.GetFullPath(path, baseDirectory) : null;
        if (map.Errors.Count == before && tokenFile is null && !IPAddress.IsLoopback(listen.Address))
        {
            map.Errors.Report(map.PositionOf("listen"), $"the dashboard would listen on {listen}, beyond this host, without a token",
                "add 'token_file:' naming a 0600 file with a long random token (e.g. head -c 32 /dev/urandom | base64), or listen on 127.0.0.1");
        }

        return map.Errors.Count == before ? new DashboardSettings(listen, tokenFile, origin) : null;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// The fake provider of a provider-routed lab (<c>keepwire lab provider-api</c>, run inside the internet namespace,
/// which is the provider's router): the generic HTTP hook's protocol (docs/provider-hooks.md). <c>POST /assign</c>
/// routes every VIP to the named hub's own address of the VIP's family (<c>ip route replace VIP via HUB</c>) and
/// answers 200 once the route is in; <c>POST /check</c> answers 200 when every VIP routes to that hub, 409 when not.
/// One request at a time, like a provider that serialises moves; every request is logged to stdout (the lab log).
/// </summary>
internal sealed class LabProviderApi(LabTopology topology, ICommandRunner runner, TextWriter log)
{
    public const int Port = 8080;

    /// <summary>A request body is a hub name and a few addresses.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(topology.ProviderApi.ToString());
        listener.Start();
        await log.WriteLineAsync($"provider api listening on {topology.ProviderApi}");
        await using var stop = cancellationToken.Register(listener.Stop);
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var (status, text) = await AnswerAsync(context.Request, cancellationToken);
            await log.WriteLineAsync($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {context.Request.HttpMethod} {context.Request.Url?.AbsolutePath} -> {status} {text}");
            await log.FlushAsync(cancellationToken);
            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(text + "\n");
            await context.Response.OutputStream.WriteAsync(bytes, cancellationToken);
            context.Response.Close();
        }
    }

    private async Task<(int Status, string Text)> AnswerAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        var action = request.Url?.AbsolutePath.TrimEnd('/') switch
        {
            "/assign" => "assign",
            "/check" => "check",
            _ => null,
        };
        if (request.HttpMethod != "POST" || action is null)
            return (404, "POST /assign or /check");
        if (await ReadClaimAsync(request, cancellationToken) is not var (hub, vips))
            return (400, "expected {\"hub\": NAME, \"vips\": [ADDRESS, …]} naming a hub of the lab");

        foreach (var vip in vips)
        {
            var target = Target(hub, vip);
            if (action == "assign")
            {
                var routed = await runner.RunAsync("ip", ["route", "replace", Host(vip), "via", target.ToString()], cancellationToken: cancellationToken);
                if (!routed.Succeeded)
                    return (500, $"cannot route {vip}: {routed.StandardError.Trim()}");
            }
            else if (await NextHopAsync(vip, cancellationToken) is var now && !target.Equals(now))
            {
                return (409, $"{vip} routes via {now?.ToString() ?? "nothing"}, not {hub.Name} ({target})");
            }
        }

        return (200, action == "assign" ? $"routed {string.Join(' ', vips)} to {hub.Name}" : $"{string.Join(' ', vips)} route to {hub.Name}");
    }

    /// <summary>The next hop of the provider's route for <paramref name="vip"/>, or null without one.</summary>
    private async Task<IPAddress?> NextHopAsync(IPAddress vip, CancellationToken cancellationToken)
    {
        var shown = await runner.RunAsync("ip", [Family(vip), "-j", "route", "show", "exact", Host(vip)], cancellationToken: cancellationToken);
        return shown.Succeeded ? ParseGateway(shown.StandardOutput) : null;
    }

    /// <summary>The gateway of the first route in <c>ip -j route show</c> output.</summary>
    public static IPAddress? ParseGateway(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        using var document = JsonDocument.Parse(json);
        foreach (var route in document.RootElement.EnumerateArray())
        {
            if (route.TryGetProperty("gateway", out var gateway) && IPAddress.TryParse(gateway.GetString(), out var address))
                return address;
        }
        return null;
    }

    private async Task<(LabHub Hub, IReadOnlyList<IPAddress> Vips)?> ReadClaimAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.InputStream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            length += read;
        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = document.RootElement;
            var hub = topology.Hubs.FirstOrDefault(h => h.Name == root.GetProperty("hub").GetString());
            var vips = root.GetProperty("vips").EnumerateArray().Select(v => IPAddress.Parse(v.GetString()!)).ToList();
            return hub is null || vips.Count == 0 ? null : (hub, vips);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }

    private static IPAddress Target(LabHub hub, IPAddress vip) =>
        vip.AddressFamily == AddressFamily.InterNetworkV6 ? hub.Public.IPv6 : hub.Public.IPv4;

    /// <summary>ip's family option: without it, <c>ip route show</c> lists IPv4 routes only.</summary>
    public static string Family(IPAddress vip) => vip.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";

    public static string Host(IPAddress vip) => $"{vip}/{(vip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}";

    /// <summary>
    /// The shipped generic HTTP hook the lab's hubs run: deploy/provider-hooks/generic-http of the checkout this
    /// program was built from, or the installed one.
    /// </summary>
    public static string GenericHttpHook()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy", "provider-hooks", "generic-http");
            if (File.Exists(candidate))
                return candidate;
        }
        const string installed = "/usr/share/keepwire/provider-hooks/generic-http";
        return File.Exists(installed)
            ? installed
            : throw new LabException($"no deploy/provider-hooks/generic-http above {AppContext.BaseDirectory} and none in {installed}: a provider-routed lab runs from a checkout or with the package installed.");
    }
}

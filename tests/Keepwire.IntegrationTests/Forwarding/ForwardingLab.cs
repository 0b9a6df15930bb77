using System.Net;
using Keepwire.Adapters.Processes;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>
/// client — hub — two backends, each in its own namespace. The hub's "tunnel" is a bridge with one
/// veth port per backend: it stands in for the WireGuard interface (one interface reaching every
/// site), and its name is what the data plane gets as the tunnel interface.
/// </summary>
internal sealed class ForwardingLab
{
    public const string Client4 = "203.0.113.2";
    public const string Client6 = "2001:db8:1::2";
    public const string Vip4 = "198.51.100.10";
    public const string Vip6 = "2001:db8:2::10";
    public static readonly IPAddress Backend1V4 = IPAddress.Parse("10.77.0.2");
    public static readonly IPAddress Backend1V6 = IPAddress.Parse("fd77::2");
    public static readonly IPAddress Backend2V4 = IPAddress.Parse("10.77.0.3");
    public static readonly IPAddress Backend2V6 = IPAddress.Parse("fd77::3");

    private ForwardingLab(NamespaceScope scope, ICommandRunner client, ICommandRunner hub, ICommandRunner backend1, ICommandRunner backend2)
    {
        Scope = scope;
        Client = client;
        Hub = hub;
        Backend1 = backend1;
        Backend2 = backend2;
    }

    public NamespaceScope Scope { get; }
    public ICommandRunner Client { get; }
    public ICommandRunner Hub { get; }
    public ICommandRunner Backend1 { get; }
    public ICommandRunner Backend2 { get; }

    public string TunnelInterface => $"{Scope.Prefix}tun";

    public static async Task<ForwardingLab> CreateAsync(NamespaceScope scope)
    {
        var client = await scope.CreateNamespaceAsync("client");
        var hub = await scope.CreateNamespaceAsync("hub");
        var backend1 = await scope.CreateNamespaceAsync("b1");
        var backend2 = await scope.CreateNamespaceAsync("b2");
        var lab = new ForwardingLab(scope, client, hub, backend1, backend2);
        await lab.WireAsync();
        return lab;
    }

    private async Task WireAsync()
    {
        var p = Scope.Prefix;

        // Public side: the client reaches the VIPs through the hub.
        await Ip(Hub, "link", "add", $"{p}pub", "type", "veth", "peer", "name", "eth0", "netns", Scope.NamespaceName("client"));
        await Ip(Hub, "addr", "add", "203.0.113.1/24", "dev", $"{p}pub");
        await Ip(Hub, "-6", "addr", "add", "2001:db8:1::1/64", "dev", $"{p}pub", "nodad");
        await Ip(Hub, "addr", "add", $"{Vip4}/32", "dev", $"{p}pub");
        await Ip(Hub, "-6", "addr", "add", $"{Vip6}/128", "dev", $"{p}pub", "nodad");
        await Ip(Hub, "link", "set", $"{p}pub", "up");
        await Ip(Client, "addr", "add", $"{Client4}/24", "dev", "eth0");
        await Ip(Client, "-6", "addr", "add", $"{Client6}/64", "dev", "eth0", "nodad");
        await Ip(Client, "link", "set", "eth0", "up");
        await Ip(Client, "route", "add", "default", "via", "203.0.113.1");
        await Ip(Client, "-6", "route", "add", "default", "via", "2001:db8:1::1");

        // Tunnel side.
        await Ip(Hub, "link", "add", TunnelInterface, "type", "bridge");
        await Ip(Hub, "addr", "add", "10.77.0.1/24", "dev", TunnelInterface);
        await Ip(Hub, "-6", "addr", "add", "fd77::1/64", "dev", TunnelInterface, "nodad");
        await Ip(Hub, "link", "set", TunnelInterface, "up");
        await ConnectBackendAsync(Backend1, "b1", Backend1V4, Backend1V6);
        await ConnectBackendAsync(Backend2, "b2", Backend2V4, Backend2V6);

        await Hub.RunCheckedAsync("sysctl", ["-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    }

    private async Task ConnectBackendAsync(ICommandRunner backend, string suffix, IPAddress v4, IPAddress v6)
    {
        var port = $"{Scope.Prefix}{suffix}";
        await Ip(Hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", Scope.NamespaceName(suffix));
        await Ip(Hub, "link", "set", port, "master", TunnelInterface);
        await Ip(Hub, "link", "set", port, "up");
        await Ip(backend, "addr", "add", $"{v4}/24", "dev", "eth0");
        await Ip(backend, "-6", "addr", "add", $"{v6}/64", "dev", "eth0", "nodad");
        await Ip(backend, "link", "set", "eth0", "up");
        // A real site routes replies back into the tunnel by policy; a default route does the same here.
        await Ip(backend, "route", "add", "default", "via", "10.77.0.1");
        await Ip(backend, "-6", "route", "add", "default", "via", "fd77::1");
    }

    /// <summary>
    /// Starts a TCP listener in a backend namespace that answers each connection with the backend's
    /// name and the peer address it sees, then waits until it listens.
    /// </summary>
    public async Task ListenAsync(string backendSuffix, int port)
    {
        Scope.StartInNamespace(
            backendSuffix,
            ["socat", $"TCP6-LISTEN:{port},fork,reuseaddr,ipv6only=0", "EXEC:printenv BACKEND SOCAT_PEERADDR"],
            new Dictionary<string, string> { ["BACKEND"] = backendSuffix });
        var backend = backendSuffix == "b1" ? Backend1 : Backend2;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listening = await backend.RunCheckedAsync("ss", ["-Hltn", $"sport = :{port}"]);
            if (!string.IsNullOrWhiteSpace(listening.StandardOutput))
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"socat in {backendSuffix} did not listen on port {port}");
    }

    /// <summary>Connects from <paramref name="from"/> and returns who answered and which client address it saw; null when the connection failed.</summary>
    public static async Task<(string Backend, IPAddress Peer)?> ConnectAsync(ICommandRunner from, string address, int port)
    {
        var target = address.Contains(':') ? $"[{address}]" : address;
        var result = await from.RunAsync("socat", ["-T", "5", "-u", $"TCP:{target}:{port},connect-timeout=3", "STDOUT"]);
        if (!result.Succeeded)
            return null;
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var peer = IPAddress.Parse(lines[1].Trim('[', ']'));
        return (lines[0], peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer);
    }

    private static Task<CommandResult> Ip(ICommandRunner runner, params string[] arguments) => runner.RunCheckedAsync("ip", arguments);
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Keepwire.Tests.Adapters;
using NSec.Cryptography;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

/// <summary>
/// Reading a wireguard-go device through its control socket: the parser on the text protocol, and the adapter
/// against an in-process stand-in for the socket, which it reads without starting a program.
/// </summary>
public sealed class WireGuardUapiTests : IDisposable
{
    private readonly string _socketDirectory = Directory.CreateTempSubdirectory("kw-uapi-").FullName;

    public void Dispose() => Directory.Delete(_socketDirectory, recursive: true);

    private static (string PrivateHex, WireGuardKey PublicKey) DeviceKey()
    {
        using var key = NSec.Cryptography.Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (Convert.ToHexStringLower(key.Export(KeyBlobFormat.RawPrivateKey)), WireGuardKey.Parse(Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey))));
    }

    private static string Hex(WireGuardKey key) => Convert.ToHexStringLower(Convert.FromBase64String(key.Base64));

    private static string Answer(string privateHex) => string.Join('\n',
        $"private_key={privateHex}",
        "listen_port=51820",
        $"public_key={Hex(Key(3))}",
        $"preshared_key={new string('0', 64)}",
        "protocol_version=1",
        "endpoint=203.0.113.9:51820",
        "last_handshake_time_sec=1700000000",
        "last_handshake_time_nsec=5",
        "tx_bytes=5678",
        "rx_bytes=1234",
        "persistent_keepalive_interval=25",
        "allowed_ip=10.9.0.2/32",
        "allowed_ip=fd00::2/128",
        $"public_key={Hex(Key(4))}",
        "endpoint=[2001:db8::1]:4500",
        "last_handshake_time_sec=0",
        "persistent_keepalive_interval=0",
        "errno=0") + "\n\n";

    [Fact]
    public void Reads_the_device_and_its_peers_and_derives_the_public_key()
    {
        var (privateHex, publicKey) = DeviceKey();

        var state = WireGuardUapiParser.Parse(Answer(privateHex));

        Assert.Equal(publicKey, state.PublicKey);
        Assert.Equal(51820, state.ListenPort);
        Assert.Equal(2, state.Peers.Count);
        var first = state.Peers[0];
        Assert.Equal(Key(3), first.PublicKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 51820), first.Endpoint);
        Assert.Equal([IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128")], first.AllowedIps);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), first.LatestHandshake);
        Assert.Equal((1234, 5678, 25), (first.ReceivedBytes, first.TransmittedBytes, first.PersistentKeepalive));
        var second = state.Peers[1];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500), second.Endpoint);
        Assert.Null(second.LatestHandshake);
        Assert.Empty(second.AllowedIps);
    }

    [Fact]
    public void A_device_without_a_private_key_has_no_public_key()
    {
        Assert.Null(WireGuardUapiParser.Parse("listen_port=0\nerrno=0\n\n").PublicKey);
    }

    [Fact]
    public void An_error_or_an_answer_cut_short_is_an_error()
    {
        Assert.Throws<IOException>(() => WireGuardUapiParser.Parse("errno=22\n\n"));
        Assert.Throws<FormatException>(() => WireGuardUapiParser.Parse("listen_port=51820\n"));
        Assert.Throws<FormatException>(() => WireGuardUapiParser.Parse("endpoint=203.0.113.9:1\nerrno=0\n\n"));
    }

    [Fact]
    public async Task The_adapter_reads_a_wireguard_go_device_through_its_socket_and_runs_no_program()
    {
        var (privateHex, publicKey) = DeviceKey();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(_socketDirectory, "wg0.sock")));
        listener.Listen();
        var requests = new List<string>();
        var device = ServeAsync(listener, Answer(privateHex), requests);
        var runner = new FakeCommandRunner((program, _, _) => throw new InvalidOperationException($"ran {program}"));
        var cli = new WireGuardCli(runner, socketDirectory: _socketDirectory);

        Assert.False(await cli.EnsureInterfaceAsync("wg0"));
        var state = await cli.ReadAsync("wg0");

        Assert.Equal(publicKey, state?.PublicKey);
        Assert.Equal(2, state?.Peers.Count);
        Assert.Empty(runner.Calls);
        listener.Dispose();
        await device.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Contains("get=1\n\n", requests);
    }

    [Fact]
    public async Task A_stale_socket_with_no_device_behind_it_falls_back_to_ip_and_wg()
    {
        using (var gone = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            gone.Bind(new UnixDomainSocketEndPoint(Path.Combine(_socketDirectory, "wg0.sock")));
        var runner = new FakeCommandRunner((program, _, _) => (1, "", "Device \"wg0\" does not exist."));

        Assert.Null(await new WireGuardCli(runner, socketDirectory: _socketDirectory).ReadAsync("wg0"));
        Assert.Equal(("ip", "link"), (runner.Calls[0].Program, runner.Calls[0].Arguments[0]));
    }

    [Fact]
    public async Task Without_a_socket_the_link_is_looked_up_in_process_when_the_adapter_is_told_how()
    {
        var runner = new FakeCommandRunner((program, _, _) => throw new InvalidOperationException($"ran {program}"));

        Assert.Null(await new WireGuardCli(runner, socketDirectory: _socketDirectory, linkExists: _ => false).ReadAsync("wg0"));
        Assert.Empty(runner.Calls);
    }

    /// <summary>Answers every get=1 on every connection, as wireguard-go does, until the listener closes.</summary>
    private static async Task ServeAsync(Socket listener, string answer, List<string> requests)
    {
        while (true)
        {
            using var connection = await listener.AcceptAsync();
            var buffer = new byte[4096];
            var received = new StringBuilder();
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (received.ToString().EndsWith("\n\n", StringComparison.Ordinal))
                {
                    lock (requests)
                        requests.Add(received.ToString());
                    received.Clear();
                    await connection.SendAsync(Encoding.UTF8.GetBytes(answer), SocketFlags.None);
                }
            }
        }
    }
}

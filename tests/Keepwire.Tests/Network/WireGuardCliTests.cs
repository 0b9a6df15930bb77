using Keepwire.Adapters.Processes;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

/// <summary>
/// The adapter's choices, driven by a scripted command runner: paths the test machine cannot take for
/// real (kernel WireGuard) and the exact commands it runs. The real tools are exercised by the integration tests.
/// </summary>
public sealed class WireGuardCliTests : IDisposable
{
    private readonly string _socketDirectory = Directory.CreateTempSubdirectory("kw-wg-sockets-").FullName;

    public void Dispose() => Directory.Delete(_socketDirectory, recursive: true);

    /// <summary>A private key file as keygen writes it (mode 0600, owned by whoever runs the test): wg gets its path.</summary>
    private string KeyFilePath()
    {
        var path = Path.Combine(_socketDirectory, $"{Guid.NewGuid():N}.key");
        KeyFile.WritePrivateKey(path, KeyPair.Generate().PrivateKey);
        return path;
    }

    [Fact]
    public async Task Kernel_wireguard_is_used_when_the_kernel_has_it()
    {
        var runner = new ScriptedRunner((program, args) => (program, args[0], args[1]) switch
        {
            ("ip", "link", "show") => Fail("Device \"wg0\" does not exist."),
            ("ip", "link", "add") => Ok(),
            _ => throw new InvalidOperationException($"unexpected {program} {string.Join(' ', args)}"),
        });

        Assert.True(await new WireGuardCli(runner, socketDirectory: _socketDirectory).EnsureInterfaceAsync("wg0"));

        Assert.DoesNotContain(runner.Calls, call => call.StartsWith("wireguard-go", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_kernel_support_a_stale_socket_is_removed_and_wireguard_go_started()
    {
        var socket = Path.Combine(_socketDirectory, "wg0.sock");
        await File.WriteAllTextAsync(socket, "");
        var started = false;
        var runner = new ScriptedRunner((program, args) => program switch
        {
            "ip" when args[1] == "show" => started ? Ok() : Fail("Device \"wg0\" does not exist."),
            "ip" when args[1] == "add" => Fail("Error: Unknown device type."),
            "wireguard-go" => Start(),
            _ => throw new InvalidOperationException($"unexpected {program}"),
        });
        CommandResult Start()
        {
            Assert.False(File.Exists(socket), "the stale socket must be gone before wireguard-go starts");
            started = true;
            return Ok();
        }

        Assert.True(await new WireGuardCli(runner, socketDirectory: _socketDirectory).EnsureInterfaceAsync("wg0"));

        Assert.Contains("wireguard-go wg0", runner.Calls);
    }

    [Fact]
    public async Task Existing_interface_is_left_alone()
    {
        var runner = new ScriptedRunner((_, _) => Ok());

        Assert.False(await new WireGuardCli(runner, socketDirectory: _socketDirectory).EnsureInterfaceAsync("wg0"));

        Assert.Equal(["ip link show dev wg0"], runner.Calls);
    }

    [Fact]
    public async Task Other_failures_to_create_are_reported()
    {
        var runner = new ScriptedRunner((_, args) => args[1] == "show" ? Fail("no such device") : Fail("RTNETLINK answers: Operation not permitted"));

        var error = await Assert.ThrowsAsync<CommandFailedException>(() => new WireGuardCli(runner, socketDirectory: _socketDirectory).EnsureInterfaceAsync("wg0"));

        Assert.Contains("Operation not permitted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_interface_reads_as_null_without_asking_wg()
    {
        var runner = new ScriptedRunner((_, _) => Fail("Device \"wg0\" does not exist."));

        Assert.Null(await new WireGuardCli(runner).ReadAsync("wg0"));
        Assert.DoesNotContain(runner.Calls, call => call.StartsWith("wg ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_runs_one_wg_set_only_when_something_differs()
    {
        var dump = $"{Key(1)}\t{Key(2)}\t51820\toff\n{Key(3)}\t(none)\t(none)\t10.9.0.2/32\t0\t0\t0\toff\n";
        var runner = new ScriptedRunner((program, _) => program == "wg" ? Ok(dump) : Ok());
        var cli = new WireGuardCli(runner);
        var same = new WireGuardDeviceSpec("/k", Key(2), 51820, [new WireGuardPeerSpec(Key(3), [System.Net.IPNetwork.Parse("10.9.0.2/32")])]);

        Assert.False(await cli.ApplyAsync("wg0", same));
        Assert.True(await cli.ApplyAsync("wg0", same with { ListenPort = 51821 }));

        Assert.Equal(["wg set wg0 listen-port 51821"], runner.Calls.Where(call => call.StartsWith("wg set", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_peer_wg_refuses_costs_that_peer_only_and_the_others_are_applied()
    {
        // Before: every peer went into one `wg set`; wg refused it as a whole and the hub had no peers at all.
        var dump = $"{Key(1)}\t{Key(2)}\t51820\toff\n";
        var refused = Key(4).Base64;
        var runner = new ScriptedRunner((program, args) => program switch
        {
            "wg" when args[0] == "show" => Ok(dump),
            "wg" when args.Contains(refused) => Fail($"Key is not the correct length or format: `{refused}'"),
            _ => Ok(),
        });
        var logger = new RecordingLogger();
        var spec = new WireGuardDeviceSpec("/k", Key(2), 51820,
            [.. new byte[] { 3, 4, 5 }.Select(k => new WireGuardPeerSpec(Key(k), [System.Net.IPNetwork.Parse($"10.9.0.{k}/32")]))]);

        Assert.True(await new WireGuardCli(runner, logger).ApplyAsync("wg0", spec));

        Assert.Equal(
            [
                $"wg set wg0 peer {Key(3)} allowed-ips 10.9.0.3/32 peer {Key(4)} allowed-ips 10.9.0.4/32 peer {Key(5)} allowed-ips 10.9.0.5/32",
                $"wg set wg0 peer {Key(3)} allowed-ips 10.9.0.3/32",
                $"wg set wg0 peer {Key(4)} allowed-ips 10.9.0.4/32",
                $"wg set wg0 peer {Key(5)} allowed-ips 10.9.0.5/32",
            ],
            runner.Calls.Where(call => call.StartsWith("wg set", StringComparison.Ordinal)));
        var error = Assert.Single(logger.Entries, entry => entry.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains($"wg refused peer {refused} on wg0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_device_settings_are_an_error_after_the_one_by_one_retry()
    {
        var dump = $"(none)\t(none)\t0\toff\n";
        var runner = new ScriptedRunner((program, args) => program switch
        {
            "wg" when args[0] == "show" => Ok(dump),
            "wg" when args.Contains("private-key") => Fail("Unable to read private key: Permission denied"),
            _ => Ok(),
        });

        var error = await Assert.ThrowsAsync<CommandFailedException>(() =>
            new WireGuardCli(runner).ApplyAsync("wg0", new WireGuardDeviceSpec(KeyFilePath(), Key(2), 51820, [new WireGuardPeerSpec(Key(3), [])])));

        Assert.Contains("Permission denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_file_that_does_not_match_the_public_key_is_an_actionable_error()
    {
        // The device keeps reporting Key(2) after the key file was loaded: the file holds some other key.
        var dump = $"{Key(1)}\t{Key(2)}\t51820\toff\n";
        var runner = new ScriptedRunner((program, _) => program == "wg" ? Ok(dump) : Ok());

        var keyFile = KeyFilePath();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new WireGuardCli(runner).ApplyAsync("wg0", new WireGuardDeviceSpec(keyFile, Key(7), 51820, [])));

        Assert.Contains(keyFile, error.Message, StringComparison.Ordinal);
        Assert.Contains(Key(7).Base64, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key(1).Base64, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_others_can_read_is_refused_before_wg_gets_it()
    {
        var keyFile = KeyFilePath();
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var runner = new ScriptedRunner((program, _) => program == "wg" ? Ok($"(none)\t(none)\t0\toff\n") : Ok());

        var refused = await Assert.ThrowsAsync<KeyFileException>(() => new WireGuardCli(runner).ApplyAsync("wg0", new WireGuardDeviceSpec(keyFile, Key(2), 51820, [])));

        Assert.Equal(KeyFileProblem.TooPermissive, refused.Problem);
        Assert.DoesNotContain(runner.Calls, call => call.StartsWith("wg set", StringComparison.Ordinal));
    }

    private static CommandResult Ok(string stdout = "") => new("x", [], 0, stdout, "");

    private static CommandResult Fail(string stderr) => new("x", [], 1, "", stderr);

    private sealed class ScriptedRunner(Func<string, IReadOnlyList<string>, CommandResult> script) : ICommandRunner
    {
        public List<string> Calls { get; } = [];

        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
        {
            Calls.Add(string.Join(' ', [program, .. arguments]));
            var result = script(program, arguments);
            return Task.FromResult(result with { Program = program, Arguments = arguments });
        }
    }
}

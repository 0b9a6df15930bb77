using Keepwire.Adapters.Processes;
using Keepwire.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// <see cref="IWireGuard"/> over <c>ip</c>, <c>wg</c> and <c>wireguard-go</c>, all run through <see cref="ICommandRunner"/>.
/// A <c>wireguard-go</c> device is read through its control socket instead (<see cref="WireGuardUapi"/>): the hub
/// reads its device every pass, and that needs no program; changes still go through <c>wg set</c>.
/// </summary>
/// <param name="logger">Where interface creation and changes are logged; none if null.</param>
/// <param name="socketDirectory">Where <c>wireguard-go</c> puts its control sockets (<c>NAME.sock</c>).</param>
/// <param name="linkExists">
/// Whether an interface exists, asked in-process (if_nametoindex) where the runner acts on the daemon's own namespace;
/// null: <c>ip link show</c> through the runner.
/// </param>
public sealed class WireGuardCli(ICommandRunner runner, ILogger? logger = null, string socketDirectory = WireGuardCli.DefaultSocketDirectory, Func<string, bool>? linkExists = null) : IWireGuard
{
    public const string DefaultSocketDirectory = "/var/run/wireguard";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<bool> EnsureInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        // A wireguard-go that answers on its socket has its interface: it exits when the interface goes.
        if (await WireGuardUapi.AnswersAsync(SocketPath(name), cancellationToken) || await LinkExistsAsync(name, cancellationToken))
            return false;

        var kernel = await runner.RunAsync("ip", ["link", "add", "dev", name, "type", "wireguard"], cancellationToken: cancellationToken);
        if (kernel.Succeeded)
        {
            Log.InterfaceCreated(_logger, name, "kernel");
            return true;
        }
        if (!kernel.StandardError.Contains("Unknown device type", StringComparison.OrdinalIgnoreCase))
            kernel.EnsureSuccess();

        await StartUserspaceAsync(name, cancellationToken);
        Log.InterfaceCreated(_logger, name, "wireguard-go");
        return true;
    }

    public async Task<WireGuardDeviceState?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await WireGuardUapi.GetAsync(SocketPath(name), cancellationToken) is { } answer)
            return WireGuardUapiParser.Parse(answer);
        // Kernel WireGuard (or no device). Ask ip first: without the kernel module, wg reports a missing device as "Protocol not supported".
        if (!await LinkExistsAsync(name, cancellationToken))
            return null;
        var dump = await runner.RunCheckedAsync("wg", ["show", name, "dump"], cancellationToken: cancellationToken);
        return WireGuardDumpParser.Parse(dump.StandardOutput);
    }

    public async Task<bool> ApplyAsync(string name, WireGuardDeviceSpec spec, WireGuardDeviceState? current = null, CancellationToken cancellationToken = default)
    {
        var before = current ?? await ReadAsync(name, cancellationToken)
            ?? throw new InvalidOperationException($"WireGuard interface {name} does not exist; call EnsureInterfaceAsync first");
        var changes = WireGuardChanges.Compute(before, spec);
        if (changes.IsEmpty)
            return false;
        // wg reads the key from this path: it must be a key only this daemon's user (or root) can read or replace.
        if (before.PublicKey != spec.PublicKey)
            KeyFile.EnsurePrivate(spec.PrivateKeyFile);

        var all = await runner.RunAsync("wg", ["set", name, .. changes.All], cancellationToken: cancellationToken);
        if (all.Succeeded)
            Log.DeviceChanged(_logger, name, changes.All);
        else
            await ApplyOneByOneAsync(name, changes, all, cancellationToken);

        if (before.PublicKey != spec.PublicKey)
        {
            var after = await ReadAsync(name, cancellationToken);
            if (after?.PublicKey != spec.PublicKey)
                throw new InvalidOperationException(
                    $"the private key in {spec.PrivateKeyFile} does not belong to the configured public key {spec.PublicKey} " +
                    $"(interface {name} now has public key {after?.PublicKey?.ToString() ?? "(none)"}): fix the key file or the config");
        }
        return true;
    }

    /// <summary>
    /// After <c>wg set</c> refused the whole change (it checks every argument before it applies any): the
    /// device's own settings, then each peer on its own, so one peer <c>wg</c> refuses costs that peer and not
    /// every other. A device setting it refuses is an error: without its key the interface is useless.
    /// </summary>
    private async Task ApplyOneByOneAsync(string name, WireGuardChanges changes, CommandResult whole, CancellationToken cancellationToken)
    {
        Log.ChangeRefused(_logger, name, new CommandFailedException(whole).Message);
        if (changes.Device.Count > 0)
        {
            await runner.RunCheckedAsync("wg", ["set", name, .. changes.Device], cancellationToken: cancellationToken);
            Log.DeviceChanged(_logger, name, changes.Device);
        }

        foreach (var peer in changes.Peers)
        {
            var result = await runner.RunAsync("wg", ["set", name, .. peer.Arguments], cancellationToken: cancellationToken);
            if (result.Succeeded)
                Log.DeviceChanged(_logger, name, peer.Arguments);
            else
                Log.PeerRefused(_logger, name, peer.PublicKey.Base64, new CommandFailedException(result).Message);
        }
    }

    public async Task<bool> DeleteInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!await LinkExistsAsync(name, cancellationToken))
            return false;
        await runner.RunCheckedAsync("ip", ["link", "del", "dev", name], cancellationToken: cancellationToken);
        Log.InterfaceDeleted(_logger, name);
        return true;
    }

    private async Task StartUserspaceAsync(string name, CancellationToken cancellationToken)
    {
        // A killed wireguard-go leaves its socket behind. No interface of that name exists (checked by the
        // caller), so nothing can be listening on it: remove it so wg never talks to a dead socket.
        var socket = SocketPath(name);
        if (File.Exists(socket))
        {
            File.Delete(socket);
            Log.StaleSocketRemoved(_logger, socket);
        }

        // wireguard-go daemonizes: this returns once the interface and its socket exist, and the daemon
        // (stdio on /dev/null) keeps running after we exit.
        await runner.RunCheckedAsync("wireguard-go", [name], cancellationToken: cancellationToken);
        if (!await LinkExistsAsync(name, cancellationToken))
            throw new InvalidOperationException($"wireguard-go {name} exited successfully but interface {name} does not exist");
    }

    private string SocketPath(string name) => Path.Combine(socketDirectory, name + ".sock");

    private async Task<bool> LinkExistsAsync(string name, CancellationToken cancellationToken) =>
        linkExists is not null
            ? linkExists(name)
            : (await runner.RunAsync("ip", ["link", "show", "dev", name], cancellationToken: cancellationToken)).Succeeded;
}

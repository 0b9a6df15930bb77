using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// <see cref="IWireGuard"/> over <c>ip</c>, <c>wg</c> and <c>wireguard-go</c>, all run through <see cref="ICommandRunner"/>.
/// </summary>
/// <param name="socketDirectory">Where <c>wireguard-go</c> puts its control sockets (<c>NAME.sock</c>).</param>
public sealed class WireGuardAdapter(ICommandRunner runner, ILogger<WireGuardAdapter> logger, string socketDirectory = WireGuardAdapter.DefaultSocketDirectory) : IWireGuard
{
    public const string DefaultSocketDirectory = "/var/run/wireguard";

    public async Task<bool> EnsureInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await LinkExistsAsync(name, cancellationToken))
            return false;

        var kernel = await runner.RunAsync("ip", ["link", "add", "dev", name, "type", "wireguard"], cancellationToken: cancellationToken);
        if (kernel.Succeeded)
        {
            Log.InterfaceCreated(logger, name, "kernel");
            return true;
        }
        if (!kernel.StandardError.Contains("Unknown device type", StringComparison.OrdinalIgnoreCase))
            kernel.EnsureSuccess();

        await StartUserspaceAsync(name, cancellationToken);
        Log.InterfaceCreated(logger, name, "wireguard-go");
        return true;
    }

    public async Task<WireGuardDeviceState?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        // Ask ip first: without the kernel module, wg reports a missing device as "Protocol not supported".
        if (!await LinkExistsAsync(name, cancellationToken))
            return null;
        var dump = await runner.RunCheckedAsync("wg", ["show", name, "dump"], cancellationToken: cancellationToken);
        return WireGuardDumpParser.Parse(dump.StandardOutput);
    }

    public async Task<bool> ApplyAsync(string name, WireGuardDeviceSpec spec, CancellationToken cancellationToken = default)
    {
        var before = await ReadAsync(name, cancellationToken)
            ?? throw new InvalidOperationException($"WireGuard interface {name} does not exist; call EnsureInterfaceAsync first");
        var changes = WireGuardChanges.Compute(before, spec);
        if (changes.Count == 0)
            return false;

        await runner.RunCheckedAsync("wg", ["set", name, .. changes], cancellationToken: cancellationToken);
        Log.DeviceChanged(logger, name, changes);

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

    public async Task<bool> DeleteInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!await LinkExistsAsync(name, cancellationToken))
            return false;
        await runner.RunCheckedAsync("ip", ["link", "del", "dev", name], cancellationToken: cancellationToken);
        Log.InterfaceDeleted(logger, name);
        return true;
    }

    private async Task StartUserspaceAsync(string name, CancellationToken cancellationToken)
    {
        // A killed wireguard-go leaves its socket behind. No interface of that name exists (checked by the
        // caller), so nothing can be listening on it: remove it so wg never talks to a dead socket.
        var socket = Path.Combine(socketDirectory, name + ".sock");
        if (File.Exists(socket))
        {
            File.Delete(socket);
            Log.StaleSocketRemoved(logger, socket);
        }

        // wireguard-go daemonizes: this returns once the interface and its socket exist, and the daemon
        // (stdio on /dev/null) keeps running after we exit.
        await runner.RunCheckedAsync("wireguard-go", [name], cancellationToken: cancellationToken);
        if (!await LinkExistsAsync(name, cancellationToken))
            throw new InvalidOperationException($"wireguard-go {name} exited successfully but interface {name} does not exist");
    }

    private async Task<bool> LinkExistsAsync(string name, CancellationToken cancellationToken) =>
        (await runner.RunAsync("ip", ["link", "show", "dev", name], cancellationToken: cancellationToken)).Succeeded;
}

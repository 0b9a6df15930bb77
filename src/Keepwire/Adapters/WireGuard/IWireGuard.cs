namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// WireGuard interfaces: kernel WireGuard where the kernel has it, <c>wireguard-go</c> where it does not.
/// A <c>wireguard-go</c> started here outlives the Keepwire process on purpose: a crash or kill -9 of the
/// daemon must not drop traffic. Calling <see cref="EnsureInterfaceAsync"/> every pass is the supervision:
/// a dead <c>wireguard-go</c> takes its interface with it, and the next pass recreates both.
/// </summary>
public interface IWireGuard
{
    /// <summary>Creates the interface unless it exists; returns whether it had to be created (its configuration is then empty).</summary>
    Task<bool> EnsureInterfaceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The interface's current configuration, or null if there is no such interface.</summary>
    Task<WireGuardDeviceState?> ReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes what differs between the interface and <paramref name="spec"/>, in one <c>wg set</c>; if
    /// <c>wg</c> refuses that, the device settings and then each peer on its own, so one peer it refuses (logged)
    /// never leaves the interface without the others. Returns whether anything changed. Throws if the device
    /// settings are refused or the private key file does not match the expected public key.
    /// </summary>
    /// <param name="current">The device as the caller just read it (saves reading it again); null: read it here.</param>
    Task<bool> ApplyAsync(string name, WireGuardDeviceSpec spec, WireGuardDeviceState? current = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the interface if it exists (a <c>wireguard-go</c> behind it exits by itself); returns whether it existed.</summary>
    Task<bool> DeleteInterfaceAsync(string name, CancellationToken cancellationToken = default);
}

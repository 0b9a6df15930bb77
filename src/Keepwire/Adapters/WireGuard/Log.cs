using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.WireGuard;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created WireGuard interface {Interface} ({Implementation})")]
    public static partial void InterfaceCreated(ILogger logger, string @interface, string implementation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Changed WireGuard interface {Interface}: {Changes}")]
    public static partial void DeviceChanged(ILogger logger, string @interface, IReadOnlyList<string> changes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted WireGuard interface {Interface}")]
    public static partial void InterfaceDeleted(ILogger logger, string @interface);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed stale wireguard-go socket {Socket} left by a process that is gone")]
    public static partial void StaleSocketRemoved(ILogger logger, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "wg refused the changes to {Interface} as a whole ({Error}); applying the device settings and each peer on its own")]
    public static partial void ChangeRefused(ILogger logger, string @interface, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "wg refused peer {PublicKey} on {Interface}, which stays without it; the other peers are applied: {Error}")]
    public static partial void PeerRefused(ILogger logger, string @interface, string publicKey, string error);
}

using Keepwire.Configuration;
using Keepwire.Hub;
using Keepwire.Onboarding.Join;
using Keepwire.Onboarding.Tokens;
using Microsoft.Extensions.Logging;

namespace Keepwire.Cli.Commands;

/// <summary>
/// The hub process's join listener, beside the daemon rather than inside it: it shares only the config file,
/// the state directory and the control socket (a successful join asks the daemon to reload through it, as
/// <c>keepwire reload</c> does), so the daemon's loop knows nothing of joins.
/// </summary>
internal static class JoinService
{
    public static Task Run(HubDaemonOptions options, int? joinPort, ILoggerFactory loggers, CancellationToken stopping)
    {
        var port = joinPort ?? ConfigLoader.LoadValid(options.ConfigPath).FindHub(options.NodeName)?.ListenPort ?? 0;
        if (port is <= 0 or > 65535)
            return Task.CompletedTask;
        var store = new JoinTokenStore(options.StateDirectory);
        var logger = loggers.CreateLogger("keepwire.join");
        var registrar = new JoinRegistrar(options.ConfigPath, store, ct => ControlCall.TryReloadAsync(options.SocketPath, ct), TimeProvider.System, logger);
        return new JoinListener(port, store, registrar, TimeProvider.System, logger).RunAsync(stopping);
    }
}

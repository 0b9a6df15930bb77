using System.CommandLine;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab.Commands;

/// <summary>
/// <c>keepwire lab link|nat|daemon|partition|heal|vips</c>: the levers the tests pull, for a lab built by
/// <c>keepwire lab up</c>, so a failure can be replayed by hand. Each is one <see cref="LabHandle"/> call.
/// </summary>
internal static class LabLeverCommands
{
    public static IEnumerable<Command> Create() => [Link(), Nat(), Daemon(), Partition(), Heal(), Vips()];

    private static Option<string> Prefix() => new("--prefix")
    {
        Description = "The lab to act on.",
        Required = true,
    };

    private static Command Link()
    {
        var cut = Lever("cut", "Cut a host's uplink (the far end goes down: the host sees its link lose carrier).", "host", (lab, host, token) => lab.CutLinkAsync(host, token));
        var restore = Lever("restore", "Restore a host's uplink.", "host", (lab, host, token) => lab.RestoreLinkAsync(host, token));
        return new Command("link", "Cut or restore the uplink of a host (hub, hub1, hub2, alpha, …).") { cut, restore };
    }

    private static Command Nat()
    {
        var stop = Lever(
            "stop", "The NAT router stops translating but still forwards: charlie's packets reach the hubs from its private address, which the hubs cannot route back to.",
            null, (lab, _, token) => lab.StopNatTranslationAsync(token));
        var restore = Lever("restore", "The NAT router translates again.", null, (lab, _, token) => lab.RestoreNatTranslationAsync(token));
        return new Command("nat", "Break or mend the NAT in front of the CGNAT site (charlie).") { stop, restore };
    }

    private static Command Daemon()
    {
        var start = Lever("start", "Start a node's daemon.", "node", async (lab, node, token) => Console.WriteLine($"{node} started, pid {await lab.StartDaemonAsync(node, token)}"));
        var stop = Lever("stop", "Stop a node's daemon gracefully (SIGTERM).", "node", (lab, node, token) => lab.StopDaemonAsync(node, token));
        var kill = Lever("kill", "Kill a node's daemon with SIGKILL, as a crash: what it made stays behind.", "node", (lab, node, token) => lab.KillDaemonAsync(node, cancellationToken: token));
        return new Command("daemon", "Start, stop or kill the daemon of a node (hub, hub1, hub2, alpha, …).") { start, stop, kill };
    }

    private static Command Partition() =>
        Lever("partition", "Cut the two hubs of a pair off from each other only; clients and sites still reach both.", null, (lab, _, token) => lab.PartitionHubsAsync(token));

    private static Command Heal() =>
        Lever("heal", "End a partition between the hubs.", null, (lab, _, token) => lab.HealHubPartitionAsync(token));

    private static Command Vips() =>
        Lever("vips", "Print which hub holds the VIPs: one line per hub with the VIPs on its public interface.", null, async (lab, _, token) =>
        {
            foreach (var (hub, vips) in await lab.VipsByHubAsync(token))
                Console.WriteLine($"{hub}: {(vips.Count == 0 ? "-" : string.Join(" ", vips))}");
        });

    /// <summary>A command that opens the lab named by <c>--prefix</c> and pulls one lever, with an optional name argument.</summary>
    private static Command Lever(string name, string description, string? argumentName, Func<LabHandle, string, CancellationToken, Task> pull)
    {
        var prefix = Prefix();
        var command = new Command(name, description) { prefix };
        Argument<string>? argument = null;
        if (argumentName is not null)
        {
            argument = new Argument<string>(argumentName);
            command.Add(argument);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var lab = new NetworkLab(new CommandRunner()).Open(parse.GetValue(prefix)!);
                await pull(lab, argument is null ? "" : parse.GetValue(argument)!, cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is LabException or ArgumentException or CommandFailedException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }
}

using System.CommandLine;
using Keepwire.Control;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire unpin SERVICE</c>: undoes <c>keepwire failover</c>; the service's policy decides again.</summary>
internal static class UnpinCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("service") { Description = "The service to hand back to its policy." };
        var socket = CommonOptions.Socket();
        var command = new Command("unpin", "Remove the pin `keepwire failover` set: the service's failover policy chooses its site again (with preempt, the best site takes it back after the preempt delay). Survives restarts.")
        {
            service, socket,
        };
        command.SetAction((parse, cancellationToken) => ControlCall.RunAsync(
            parse.GetValue(socket)!,
            new ControlRequest("unpin", new Dictionary<string, string> { ["service"] = parse.GetValue(service)! }),
            cancellationToken));
        return command;
    }
}

using System.CommandLine;
using System.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire man</c> (hidden): the manual page, in roff, made from the same command tree as <c>--help</c>,
/// so the two never disagree. <c>scripts/package</c> runs it to ship <c>keepwire.1</c>.
/// </summary>
internal static class ManPageCommand
{
    public static Command Create(RootCommand root)
    {
        var command = new Command("man", "Print the manual page (roff) for man(1).") { Hidden = true };
        command.SetAction(_ => Console.Write(Render(root)));
        return command;
    }

    private static string Render(RootCommand root)
    {
        var page = new StringBuilder();
        page.AppendLine(".TH KEEPWIRE 1 \"\" \"keepwire\" \"Keepwire manual\"");
        page.AppendLine(".SH NAME");
        page.AppendLine(@"keepwire \- one set of public addresses for services at several sites, with fast failover over WireGuard");
        page.AppendLine(".SH SYNOPSIS");
        page.AppendLine(@".B keepwire
\fICOMMAND\fR [\fIOPTIONS\fR]");
        page.AppendLine(".SH DESCRIPTION");
        page.AppendLine(Escape(root.Description ?? ""));
        page.AppendLine(".PP");
        page.AppendLine("A hub holds the public addresses (VIPs) and forwards the configured ports with nftables over WireGuard to the site that serves; "
            + "sites dial out to the hub, so NAT and CGNAT are fine. Every command prints its own help with \\fB\\-\\-help\\fR.");
        page.AppendLine(".SH COMMANDS");
        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
            AppendCommand(page, command, "keepwire");
        page.AppendLine(".SH FILES");
        AppendFile(page, "/etc/keepwire/keepwire.yaml", "The configuration (keepwire check validates it; the reference is /usr/share/doc/keepwire/configuration.md).");
        AppendFile(page, "/etc/keepwire/NAME.key", "A node's WireGuard private key, mode 0600.");
        AppendFile(page, "/etc/default/keepwire", "Extra options for the keepwire-hub and keepwire-site units.");
        AppendFile(page, "/var/lib/keepwire", "The hub's state: decisions, operator intent, join tokens.");
        AppendFile(page, "/run/keepwire/keepwire.sock", "The control socket of the running daemon.");
        page.AppendLine(".SH SEE ALSO");
        page.AppendLine(@"\fBwg\fR(8), \fBwg-quick\fR(8), \fBnft\fR(8), \fBkeepalived\fR(8), /usr/share/doc/keepwire/");
        return page.ToString();
    }

    private static void AppendCommand(StringBuilder page, Command command, string parent)
    {
        var path = $"{parent} {command.Name}";
        var arguments = string.Concat(command.Arguments.Select(a => $" \\fI{Escape(a.Name.ToUpperInvariant())}\\fR"));
        page.AppendLine(".TP");
        page.AppendLine($"\\fB{Escape(path)}\\fR{arguments}{(command.Options.Any(o => !o.Hidden) ? " [\\fIOPTIONS\\fR]" : "")}");
        page.AppendLine(Escape(command.Description ?? ""));
        var options = command.Options.Where(o => !o.Hidden && o.Name is not "--help" and not "-h" and not "-?").ToList();
        if (options.Count > 0)
        {
            page.AppendLine(".RS");
            foreach (var option in options)
            {
                var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases).Select(n => $"\\fB{Escape(n)}\\fR"));
                var value = option.ValueType == typeof(bool) ? "" : $" \\fI{Escape(option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant())}\\fR";
                page.AppendLine(".TP");
                page.AppendLine(names + value);
                page.AppendLine(Escape(option.Description ?? ""));
            }
            page.AppendLine(".RE");
        }
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            AppendCommand(page, sub, path);
    }

    private static void AppendFile(StringBuilder page, string path, string what)
    {
        page.AppendLine(".TP");
        page.AppendLine($"\\fI{Escape(path)}\\fR");
        page.AppendLine(Escape(what));
    }

    /// <summary>roff: backslashes and hyphens escaped, and no line may start with a dot or an apostrophe.</summary>
    private static string Escape(string text)
    {
        var escaped = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }
}

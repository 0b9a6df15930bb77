using System.CommandLine;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding.Agentless;
using QRCoder;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire render wg-quick SITE</c>: the WireGuard configuration of a site that runs no agent
/// (<c>mode: snat</c>), for wg-quick, a router's WireGuard page, or a phone's WireGuard app via a QR code.
/// </summary>
internal static class RenderCommand
{
    public static Command Create() => new("render", "Render configuration for other programs.") { WgQuick() };

    private static Command WgQuick()
    {
        var site = new Argument<string>("site") { Description = "A site with mode: snat." };
        var config = CommonOptions.Config();
        var privateKey = new Option<string?>("--private-key")
        {
            Description = "The site's private key file, to put in the output (then keep the output secret); without it, the PrivateKey line is left to fill in on the device.",
        };
        var qr = new Option<bool>("--qr") { Description = "Also print it as a QR code in the terminal (needs --private-key: a code with a blank key is no use)." };
        var command = new Command("wg-quick", "The wg-quick configuration of a site that runs plain WireGuard (mode: snat); the hub checks it through the tunnel as any site.")
        {
            site, config, privateKey, qr,
        };
        command.SetAction(parse =>
        {
            var loaded = ConfigLoader.Load(parse.GetValue(config)!);
            if (loaded.Config is not { } cluster)
                return Failure.Report(string.Join('\n', loaded.Errors));
            var name = parse.GetValue(site)!;
            if (cluster.FindSite(name) is not { } node)
                return Failure.Report($"{cluster.SourcePath}: no site named '{name}' (sites: {string.Join(", ", cluster.Sites.Select(s => s.Name))})");
            if (parse.GetValue(qr) && parse.GetValue(privateKey) is null)
                return Failure.Report("--qr needs --private-key: a QR code with a blank private key cannot be used");

            WireGuardKey? key = null;
            try
            {
                if (parse.GetValue(privateKey) is { } keyFile)
                    key = KeyFile.ReadPrivateKey(keyFile, node.PublicKey);
                var text = WgQuickRenderer.Render(cluster, node, key);
                Console.Write(text);
                if (parse.GetValue(qr))
                    Console.Write(TerminalQrCode(text));
            }
            catch (Exception e) when (e is ArgumentException or KeyFileException)
            {
                return Failure.Report(e.Message);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Two modules per character cell (half blocks), with the quiet zone, dark on a light terminal and light on a dark one alike.</summary>
    private static string TerminalQrCode(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.L);
        using var code = new AsciiQRCode(data);
        return "\n" + code.GetGraphicSmall(drawQuietZones: true) + "\n";
    }
}

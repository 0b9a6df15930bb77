using System.CommandLine;
using Keepwire.Configuration;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire keygen</c>: a WireGuard key pair; the private key goes to a 0600 file, the public key to stdout.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var privateKey = new Option<string>("--private-key")
        {
            Description = "Where to write the private key (created mode 0600; an existing file is never overwritten).",
            Required = true,
        };
        var publicKey = new Option<string?>("--public-key") { Description = "Also write the public key to this file." };
        var command = new Command("keygen", "Generate a WireGuard key pair: the private key into a file only root can read, the public key printed.")
        {
            privateKey, publicKey,
        };
        command.SetAction(parse =>
        {
            var pair = KeyPair.Generate();
            try
            {
                KeyFile.WritePrivateKey(parse.GetValue(privateKey)!, pair.PrivateKey);
            }
            catch (KeyFileException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            if (parse.GetValue(publicKey) is { } publicKeyFile)
                File.WriteAllText(publicKeyFile, pair.PublicKey + "\n");
            Console.WriteLine(pair.PublicKey);
            return 0;
        });
        return command;
    }
}

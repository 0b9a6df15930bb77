using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Fields hubs and sites share: name, keys, WireGuard interface.</summary>
internal static class CommonFields
{
    public const string DefaultInterface = "kw0";
    public const string DefaultKeyDirectory = "/etc/keepwire";
    public const string KeygenHint = "generate a key pair with 'keepwire keygen'";

    public static Located<string>? Name(MappingReader map)
    {
        if (map.Required("name", "add 'name: <lowercase letters, digits, ->'") is not { } node)
            return null;
        if (YamlValues.String(node, "name", map.Errors) is not { } name)
            return null;
        return Report(map.Errors, node, NameSyntax.CheckName(name)) ? null : new Located<string>(name, node);
    }

    public static Located<WireGuardKey>? PublicKey(MappingReader map)
    {
        if (map.Required("public_key", KeygenHint) is not { } node)
            return null;
        if (YamlValues.String(node, "public_key", map.Errors) is not { } text)
            return null;
        switch (WireGuardKey.Check(text, out var key))
        {
            case WireGuardKeyProblem.NotAKey:
                map.Errors.Report(node, "public_key is not a WireGuard key: expected 44 characters of base64 encoding 32 bytes", KeygenHint);
                return null;
            case WireGuardKeyProblem.NotCanonical:
                // Same bytes, another spelling: wg refuses it, and it would dodge the duplicate-key check.
                map.Errors.Report(node, $"public_key is not in canonical base64: wg only accepts {key}", $"write it as {key}, as 'wg pubkey' and 'keepwire keygen' print it");
                return null;
        }

        if (key.IsLowOrderPoint)
        {
            map.Errors.Report(node, "public_key is a low-order point of Curve25519: no private key belongs to it, so no handshake can succeed", KeygenHint);
            return null;
        }

        return new Located<WireGuardKey>(key, node);
    }

    public static string? Interface(MappingReader map, string key, string? defaultName)
    {
        if (map.Optional(key) is not { } node)
            return defaultName;
        if (YamlValues.String(node, key, map.Errors) is not { } name)
            return null;
        return Report(map.Errors, node, NameSyntax.CheckInterface(name, key)) ? null : name;
    }

    /// <summary>The private key path: as given (relative paths against the config file's directory), else /etc/keepwire/NAME.key.</summary>
    public static string? PrivateKeyFile(MappingReader map, Located<string>? name, string baseDirectory)
    {
        if (map.Optional("private_key_file") is not { } node)
            return name is null ? null : Path.Combine(DefaultKeyDirectory, name.Value + ".key");
        if (YamlValues.String(node, "private_key_file", map.Errors) is not { } path)
            return null;
        return Path.GetFullPath(path, baseDirectory);
    }

    /// <summary>Reports a problem at the node; true if there was one.</summary>
    public static bool Report(ConfigErrorSink errors, YamlNode node, Problem? problem)
    {
        if (problem is null)
            return false;
        errors.Report(node, problem.Message, problem.Hint);
        return true;
    }
}

namespace Keepwire.Model;

/// <summary>A host (DNS name or literal address) and a port, as written in the config: <c>hub.example.net:51820</c> or <c>[2001:db8::1]:51820</c>.</summary>
public sealed record HostEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

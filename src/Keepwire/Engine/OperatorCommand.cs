namespace Keepwire.Engine;

/// <summary>What an operator asks of a running hub (<c>keepwire failover</c>, <c>unpin</c>, <c>drain</c>, <c>undrain</c>).</summary>
public abstract record OperatorCommand
{
    private OperatorCommand()
    {
    }

    /// <summary>Serve <paramref name="Service"/> from <paramref name="Site"/> while it is eligible; survives restarts.</summary>
    public sealed record Pin(string Service, string Site) : OperatorCommand;

    /// <summary>Hand <paramref name="Service"/> back to its policy.</summary>
    public sealed record Unpin(string Service) : OperatorCommand;

    /// <summary>Put <paramref name="Site"/> into maintenance (<paramref name="Drained"/> true) or take it out.</summary>
    public sealed record Drain(string Site, bool Drained) : OperatorCommand;
}

/// <summary>The answer to one <see cref="OperatorCommand"/>: done (with what happened, in words) or refused (with why).</summary>
public sealed record CommandOutcome(bool Ok, string Message)
{
    public static CommandOutcome Done(string message) => new(true, message);

    public static CommandOutcome Refused(string message) => new(false, message);
}

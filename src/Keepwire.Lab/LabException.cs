namespace Keepwire.Lab;

/// <summary>The lab could not be built, driven or torn down; the message says what and what to do.</summary>
public sealed class LabException : Exception
{
    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LabException()
    {
    }
}

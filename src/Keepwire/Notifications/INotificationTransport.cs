namespace Keepwire.Notifications;

/// <summary>Sends one notification attempt; the outside world of <see cref="Notifier"/>, faked in tests.</summary>
public interface INotificationTransport
{
    /// <summary>POSTs the request.</summary>
    /// <exception cref="NotificationFailedException">The receiver answered with a status other than 2xx, or could not be reached.</exception>
    Task PostAsync(NotificationRequest request, CancellationToken cancellationToken);

    /// <summary>Runs the program to its end.</summary>
    /// <exception cref="NotificationFailedException">It could not start or exited other than 0.</exception>
    Task RunAsync(NotificationCommand command, CancellationToken cancellationToken);
}

/// <summary>One attempt failed, and why in words.</summary>
public sealed class NotificationFailedException(string message, Exception? inner = null) : Exception(message, inner);

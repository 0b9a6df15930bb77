namespace Keepwire.Notifications;

/// <summary>One HTTP POST, built and signed before it is sent, so every attempt sends the same bytes.</summary>
public sealed record NotificationRequest(Uri Url, byte[] Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>One run of an <c>exec</c> receiver: the program, its arguments, and the event in its environment.</summary>
public sealed record NotificationCommand(IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment);

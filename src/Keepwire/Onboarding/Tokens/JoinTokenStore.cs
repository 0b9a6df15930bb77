using System.Text.Json;
using System.Text.Json.Serialization;
using Keepwire.Adapters.Keepalived;

namespace Keepwire.Onboarding.Tokens;

/// <summary>
/// The join tokens a hub issued, in <c>STATE_DIR/join-tokens.json</c> (mode 0600: it holds the secrets).
/// <c>keepwire site add</c> (a separate process) adds tokens and the hub's join listener uses them, so every
/// change happens inside <see cref="LockAsync"/>, an exclusive lock on <c>join-tokens.lock</c>, and every write
/// replaces the file in one rename. Tokens used or expired more than a week ago are dropped on the next write.
/// </summary>
public sealed class JoinTokenStore(string stateDirectory)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(7);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "join-tokens.json");

    private string LockPath => System.IO.Path.Combine(stateDirectory, "join-tokens.lock");

    /// <summary>Holds the store's lock until disposed; waits up to ten seconds for another process to release it.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(stateDirectory))
            Directory.CreateDirectory(stateDirectory, AtomicTextFile.OwnerOnlyDirectory);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix: another process opening it the same way fails until we close it.
                return new FileStream(LockPath, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = AtomicTextFile.OwnerOnly,
                });
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (IOException e)
            {
                throw new IOException($"the join token store {Path} is locked by another keepwire process for more than {LockTimeout.TotalSeconds:0} s; try again", e);
            }
        }
    }

    /// <summary>Every token on record (reading needs no lock: writes replace the file whole).</summary>
    public IReadOnlyList<PendingJoin> Load()
    {
        if (AtomicTextFile.ReadOrNull(Path) is not { } text)
            return [];
        try
        {
            return JsonSerializer.Deserialize(text, TokenStoreJson.Default.StoredTokens)?.Tokens ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is not a valid join token store ({e.Message}); move it away (the tokens in it stop working)", e);
        }
    }

    /// <summary>
    /// How long the join port stays open after the last token was used or expired, so a repeated or late
    /// join gets "already used" or "expired" instead of a closed port.
    /// </summary>
    public static readonly TimeSpan AnswerWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether the join port should be open now: a token could be used, or one was used or expired within
    /// <see cref="AnswerWindow"/>. The join listener and the hub's input firewall both follow it.
    /// </summary>
    public bool ShouldListen(DateTimeOffset now) => Load().Any(t => t.IsAnswerable(now, AnswerWindow));

    /// <summary>Writes <paramref name="tokens"/>, minus those used or expired long ago. Call under <see cref="LockAsync"/>.</summary>
    public Task SaveAsync(IEnumerable<PendingJoin> tokens, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kept = tokens.Where(t => (t.UsedAt ?? t.ExpiresAt) > now - KeepFor).ToList();
        var text = JsonSerializer.Serialize(new StoredTokens(kept), TokenStoreJson.Default.StoredTokens);
        return AtomicTextFile.WriteAsync(Path, text, AtomicTextFile.OwnerOnly, cancellationToken);
    }

    internal sealed record StoredTokens(List<PendingJoin> Tokens);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(JoinTokenStore.StoredTokens))]
internal sealed partial class TokenStoreJson : JsonSerializerContext;

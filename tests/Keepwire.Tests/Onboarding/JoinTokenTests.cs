using Keepwire.Model;
using Keepwire.Onboarding.Tokens;
using Keepwire.Tests.Network;

namespace Keepwire.Tests.Onboarding;

public sealed class JoinTokenTests
{
    [Theory]
    [InlineData("hub.example.net", 51820)]
    [InlineData("2001:db8::1", 443)]
    public void A_token_reads_back_what_was_written_into_it(string host, int port)
    {
        var token = JoinToken.Create(new HostEndpoint(host, port), TestKeys.Key(5), "zurich", new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var read = JoinToken.Decode(token.Encode());

        Assert.Equal((token.JoinEndpoint, token.HubPublicKey, token.SiteName, token.ExpiresAt, token.Id), (read.JoinEndpoint, read.HubPublicKey, read.SiteName, read.ExpiresAt, read.Id));
        Assert.Equal(token.Secret, read.Secret);
        Assert.DoesNotContain(Convert.ToBase64String(token.Secret), token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_with_extra_characters_is_refused()
    {
        var text = JoinToken.Create(new HostEndpoint("hub", 1), TestKeys.Key(5), "zurich", DateTimeOffset.UnixEpoch).Encode();

        var error = Assert.Throws<FormatException>(() => JoinToken.Decode(text + "AAAA"));

        Assert.Contains("extra characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_join_port_answers_while_a_token_is_usable_and_for_a_while_after_it_was_used_or_expired()
    {
        var issued = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var pending = new PendingJoin("id", "secret", "zurich", TestKeys.Key(1).ToString(), issued, issued.AddHours(1));
        var used = pending with { UsedAt = issued.AddMinutes(5) };
        var window = JoinTokenStore.AnswerWindow;

        Assert.True(pending.IsAnswerable(issued.AddMinutes(59), window));
        Assert.True(pending.IsAnswerable(issued.AddHours(1) + window - TimeSpan.FromSeconds(1), window));
        Assert.False(pending.IsAnswerable(issued.AddHours(1) + window, window));
        Assert.True(used.IsAnswerable(issued.AddMinutes(5) + window - TimeSpan.FromSeconds(1), window));
        Assert.False(used.IsAnswerable(issued.AddMinutes(5) + window, window));
    }
}

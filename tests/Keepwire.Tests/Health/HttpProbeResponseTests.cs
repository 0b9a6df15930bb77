using System.Text;
using Keepwire.Health;

namespace Keepwire.Tests.Health;

public sealed class HttpProbeResponseTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static (string Body, bool Complete) Body(string response, bool endOfStream = false, int room = 1024)
    {
        var received = Bytes(response);
        Assert.True(HttpProbeResponse.TryReadHead(received, out var head));
        var decoded = new byte[room];
        var body = HttpProbeResponse.Body(received, head, endOfStream, decoded, out var complete);
        return (Encoding.ASCII.GetString(body), complete);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.0 503 Service Unavailable\r\nServer: x\r\n\r\n", 503)]
    [InlineData("HTTP/1.1 204\r\n", 204)]
    public void The_status_is_read_as_soon_as_the_status_line_is_complete(string received, int status)
    {
        Assert.True(HttpProbeResponse.TryReadHead(Bytes(received), out var head));
        Assert.Equal(status, head.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 O")]
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n")]
    public void An_incomplete_status_line_or_interim_response_needs_more(string received) =>
        Assert.False(HttpProbeResponse.TryReadHead(Bytes(received), out _));

    [Fact]
    public void Interim_responses_are_skipped_for_the_final_one()
    {
        var received = Bytes("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        Assert.True(HttpProbeResponse.TryReadHead(received, out var head));
        Assert.Equal(404, head.Status);
        Assert.Equal(received.Length, head.BodyStart);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n")]
    [InlineData("220 mail.example.net ESMTP\r\n")]
    public void Something_that_is_not_http_is_a_format_error(string received) =>
        Assert.Throws<FormatException>(() => HttpProbeResponse.TryReadHead(Bytes(received), out _));

    [Fact]
    public void A_body_with_content_length_is_complete_when_that_much_arrived()
    {
        Assert.Equal(("site=", false), Body("HTTP/1.1 200 OK\r\ncontent-LENGTH: 10\r\n\r\nsite="));
        Assert.Equal(("site=alpha", true), Body("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nsite=alpha"));
    }

    [Fact]
    public void A_body_without_framing_is_complete_at_the_end_of_the_stream()
    {
        Assert.Equal(("site=alpha", false), Body("HTTP/1.1 200 OK\r\n\r\nsite=alpha"));
        Assert.Equal(("site=alpha", true), Body("HTTP/1.1 200 OK\r\n\r\nsite=alpha", endOfStream: true));
    }

    [Fact]
    public void A_chunked_body_is_decoded_so_text_split_across_chunks_is_found()
    {
        const string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        Assert.Equal(("site=alpha", true), Body(head + "5\r\nsite=\r\n5;ext=1\r\nalpha\r\n0\r\n\r\n"));
        Assert.Equal(("site=al", false), Body(head + "5\r\nsite=\r\n5\r\nal"));
    }

    [Fact]
    public void A_chunked_body_longer_than_the_room_for_it_is_complete_when_the_room_is_full()
    {
        var (body, complete) = Body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n", room: 4);
        Assert.Equal(("0123", true), (body, complete));
    }

    [Theory]
    [InlineData("/healthz?full=1", "/healthz?full=1")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/grüezi", "/gr%C3%BCezi")]
    [InlineData("/x\r\nHost: evil", "/x%0D%0AHost:%20evil")]
    public void The_path_goes_on_the_request_line_with_anything_unprintable_percent_encoded(string path, string target) =>
        Assert.Equal(target, HttpHealthCheck.RequestTarget(path));
}

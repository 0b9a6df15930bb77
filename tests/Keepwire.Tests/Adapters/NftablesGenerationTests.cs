using Keepwire.Adapters.Nftables;

namespace Keepwire.Tests.Adapters;

/// <summary>The netlink messages of the nftables generation: the request nft itself sends, and the kernel's answer.</summary>
public class NftablesGenerationTests
{
    // The kernel's NEWGEN answer to request 6 (captured from Linux 6.18): generation 3, pid 0x5501, process "dotnet".
    private static readonly byte[] Answer = Convert.FromHexString("300000000F0A0000060000000155000000000003080001000000000308000200000055010B000300646F746E65740000");

    [Fact]
    public void The_request_is_a_getgen_of_the_nftables_subsystem()
    {
        Assert.Equal(Convert.FromHexString("14000000100A0100" + "07000000" + "00000000" + "00000000"), NftablesGeneration.Request(7));
    }

    [Fact]
    public void The_answer_names_the_generation()
    {
        Assert.Equal(3u, NftablesGeneration.ParseAnswer(Answer, 6));
    }

    [Fact]
    public void An_answer_to_another_request_or_a_cut_one_is_not_taken()
    {
        Assert.Null(NftablesGeneration.ParseAnswer(Answer, 7));
        Assert.Null(NftablesGeneration.ParseAnswer(Answer.AsSpan(0, 22), 6));
        Assert.Null(NftablesGeneration.ParseAnswer([], 6));
    }
}

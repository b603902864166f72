using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// How a listener finds a request's original client address: X-Forwarded-For with a number of trusted hops, or with
/// trusted CIDRs, or a custom header. Exactly one of them.
/// </summary>
public sealed record ClientIpDetectionIr
{
    /// <summary>XFF: the address this many entries from the right is the client's (1: the rightmost).</summary>
    public int? XffTrustedHops { get; init; }

    /// <summary>XFF: from a peer in these ranges, the rightmost XFF entry outside them is the client's.</summary>
    public EquatableArray<string> XffTrustedCidrs { get; init; } = EquatableArray<string>.Empty;

    /// <summary>A header holding the client address.</summary>
    public string? CustomHeader { get; init; }

    /// <summary>With <see cref="CustomHeader"/>: answer 403 when the header holds no address.</summary>
    public bool FailClosed { get; init; }
}

using System.Net;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Policies.ClientTraffic;

/// <summary>
/// Finds a request's original client address as Envoy's original-IP detection does: X-Forwarded-For with trusted
/// hops (the Nth entry from the right; fewer entries: the peer stays the client), X-Forwarded-For with trusted CIDRs
/// (from a trusted peer, the rightmost entry outside them, or the leftmost when all are trusted), or a custom header.
/// </summary>
internal sealed class ClientIpDetector
{
    private readonly int _hops;
    private readonly IPNetwork[] _trusted;
    private readonly string? _header;

    public ClientIpDetector(ClientIpDetectionIr ir)
    {
        _hops = ir.XffTrustedHops ?? 0;
        _trusted = [.. ir.XffTrustedCidrs.AsImmutableArray().Select(c => IPNetwork.Parse(c))];
        _header = ir.CustomHeader;
        FailClosed = ir.FailClosed;
    }

    /// <summary>Answer 403 when detection finds no address (custom header only).</summary>
    public bool FailClosed { get; }

    /// <summary>The detected client address, or null when this request carries none (the peer stays the client).</summary>
    public IPAddress? Detect<TRequest>(in TRequest request, IPAddress? peer) where TRequest : struct, IRequestView
    {
        if (_header is not null)
            return request.TryGetHeader(_header, out var custom) && ParseAddress(custom.ToString().AsSpan().Trim()) is { } a ? a : null;
        if (!request.TryGetHeader("x-forwarded-for", out var xff) || StringValues.IsNullOrEmpty(xff)) return null;
        var entries = Entries(xff);
        if (_hops > 0)
            return entries.Count >= _hops ? ParseAddress(entries[^_hops]) : null;
        if (peer is null || !Trusted(peer)) return null;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (ParseAddress(entries[i]) is not { } a) return null; // a malformed entry: trust stops there
            if (!Trusted(a)) return a;
        }
        return entries.Count > 0 ? ParseAddress(entries[0]) : null;
    }

    private bool Trusted(IPAddress a)
    {
        a = ListenerClientPolicy.Normalize(a)!;
        foreach (var n in _trusted)
            if (n.Contains(a)) return true;
        return false;
    }

    private static List<string> Entries(StringValues values)
    {
        var list = new List<string>(4);
        foreach (var v in values)
        {
            if (v is null) continue;
            foreach (var part in v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) list.Add(part);
        }
        return list;
    }

    private static IPAddress? ParseAddress(ReadOnlySpan<char> text) =>
        IPAddress.TryParse(text, out var a) ? ListenerClientPolicy.Normalize(a) : null;

    private static IPAddress? ParseAddress(string text) => ParseAddress(text.AsSpan());
}

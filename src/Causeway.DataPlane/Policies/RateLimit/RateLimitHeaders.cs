using System.Globalization;
using System.Text;

namespace Causeway.DataPlane.Policies.RateLimit;

/// <summary>
/// The headers Envoy's local rate limit sends (Envoy Gateway turns on the draft-03 <c>X-RateLimit-*</c> headers):
/// on 429 answers and on passed requests' responses alike. Written in one place for every transport.
/// </summary>
internal static class RateLimitHeaders
{
    public const string Limit = "x-ratelimit-limit";
    public const string Remaining = "x-ratelimit-remaining";
    public const string Reset = "x-ratelimit-reset";

    public static ReadOnlySpan<byte> LimitBytes => "x-ratelimit-limit"u8;
    public static ReadOnlySpan<byte> RemainingBytes => "x-ratelimit-remaining"u8;
    public static ReadOnlySpan<byte> ResetBytes => "x-ratelimit-reset"u8;

    /// <summary>The headers of <paramref name="state"/> as name/value pairs (local replies, Kestrel responses).</summary>
    public static void AddTo(RequestPolicyState state, ICollection<KeyValuePair<string, string>> headers)
    {
        if (!state.HasRateLimitHeaders) return;
        headers.Add(new(Limit, state.Limit.ToString(CultureInfo.InvariantCulture)));
        headers.Add(new(Remaining, state.Remaining.ToString(CultureInfo.InvariantCulture)));
        headers.Add(new(Reset, state.ResetSeconds.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The headers of <paramref name="state"/> into an HTTP/1.1 head being written.</summary>
    public static void AppendTo(RequestPolicyState state, ByteBuilder o)
    {
        if (!state.HasRateLimitHeaders) return;
        Line(o, LimitBytes, state.Limit);
        Line(o, RemainingBytes, state.Remaining);
        Line(o, ResetBytes, state.ResetSeconds);
    }

    /// <summary>The headers of <paramref name="state"/> as lines added to an HTTP/1.1 head's edits (the listener's late edits follow).</summary>
    public static void AddTo(RequestPolicyState state, List<(byte[] Name, byte[] Value)> lines)
    {
        if (!state.HasRateLimitHeaders) return;
        lines.Add((LimitBytes.ToArray(), Encoding.ASCII.GetBytes(state.Limit.ToString(CultureInfo.InvariantCulture))));
        lines.Add((RemainingBytes.ToArray(), Encoding.ASCII.GetBytes(state.Remaining.ToString(CultureInfo.InvariantCulture))));
        lines.Add((ResetBytes.ToArray(), Encoding.ASCII.GetBytes(state.ResetSeconds.ToString(CultureInfo.InvariantCulture))));
    }

    private static void Line(ByteBuilder o, ReadOnlySpan<byte> name, long value)
    {
        o.Append(name);
        o.Append(": "u8);
        o.AppendDecimal(value);
        o.Append("\r\n"u8);
    }
}

using System.Diagnostics;
using System.Text;

namespace Causeway.DataPlane.Telemetry.Tracing;

/// <summary>
/// The W3C <c>traceparent</c> header (<c>version-traceid-parentid-flags</c>, Trace Context level 1): read without
/// allocating (the sampling decision is made on it before anything is created) and written for the backend.
/// </summary>
internal static class TraceParent
{
    public const string HeaderName = "traceparent";
    public const string StateHeaderName = "tracestate";

    /// <summary>The length of a version 00 value.</summary>
    public const int Length = 55;

    /// <summary>Where the parent (span) id starts in a value.</summary>
    public const int SpanIdOffset = 36;

    /// <summary>
    /// Whether <paramref name="value"/> is a valid traceparent (lowercase hex, ids not all zero, version not ff;
    /// version 00 exactly 55 characters, later versions at least 55 with '-' after them), and its sampled flag.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out bool sampled)
    {
        sampled = false;
        if (value.Length < Length) return false;
        if (value.Length > Length && (value[Length] != (byte)'-' || value[..2].SequenceEqual("00"u8))) return false;
        if (value[2] != '-' || value[35] != '-' || value[52] != '-') return false;
        if (!IsHex(value[..2]) || value[..2].SequenceEqual("ff"u8)) return false;
        if (!IsHex(value.Slice(3, 32)) || IsZeros(value.Slice(3, 32))) return false;
        if (!IsHex(value.Slice(SpanIdOffset, 16)) || IsZeros(value.Slice(SpanIdOffset, 16))) return false;
        if (!IsHex(value.Slice(53, 2))) return false;
        sampled = (HexValue(value[54]) & 1) == 1;
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out bool)"/>
    public static bool TryParse(ReadOnlySpan<char> value, out bool sampled)
    {
        sampled = false;
        if (value.Length < Length || value.Length > 512) return false;
        Span<byte> bytes = stackalloc byte[value.Length];
        return Ascii.FromUtf16(value, bytes, out _) == System.Buffers.OperationStatus.Done && TryParse(bytes, out sampled);
    }

    /// <summary>The remote parent of a valid, sampled value (allocates the ids' hex strings: only for sampled requests).</summary>
    public static ActivityContext Parent(ReadOnlySpan<byte> value, string? traceState) => new(
        ActivityTraceId.CreateFromUtf8String(value.Slice(3, 32)),
        ActivitySpanId.CreateFromUtf8String(value.Slice(SpanIdOffset, 16)),
        ActivityTraceFlags.Recorded, traceState, isRemote: true);

    /// <inheritdoc cref="Parent(ReadOnlySpan{byte}, string?)"/>
    public static ActivityContext Parent(ReadOnlySpan<char> value, string? traceState) => new(
        ActivityTraceId.CreateFromString(value.Slice(3, 32)),
        ActivitySpanId.CreateFromString(value.Slice(SpanIdOffset, 16)),
        ActivityTraceFlags.Recorded, traceState, isRemote: true);

    /// <summary>Writes <c>00-{trace id}-{span id}-01</c> (55 bytes) into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ActivityTraceId traceId, ActivitySpanId spanId)
    {
        "00-"u8.CopyTo(destination);
        Span<byte> raw = stackalloc byte[16];
        traceId.CopyTo(raw);
        Convert.TryToHexStringLower(raw, destination.Slice(3, 32), out _);
        destination[35] = (byte)'-';
        WriteSpanId(destination, spanId);
        "-01"u8.CopyTo(destination[52..]);
    }

    /// <summary>Overwrites the parent id of a value written by <see cref="Write"/> (a new upstream attempt).</summary>
    public static void WriteSpanId(Span<byte> value, ActivitySpanId spanId)
    {
        Span<byte> raw = stackalloc byte[8];
        spanId.CopyTo(raw);
        Convert.TryToHexStringLower(raw, value.Slice(SpanIdOffset, 16), out _);
    }

    /// <summary>The value for a backend whose parent is <paramref name="span"/>.</summary>
    public static string Format(Activity span) => $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-01";

    private static bool IsHex(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
            if (HexValue(b) < 0) return false;
        return true;
    }

    private static bool IsZeros(ReadOnlySpan<byte> s) => s.IndexOfAnyExcept((byte)'0') < 0;

    /// <summary>The value of a lowercase hex digit, -1 for anything else (W3C: uppercase is invalid).</summary>
    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };
}

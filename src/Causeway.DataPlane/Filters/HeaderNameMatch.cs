using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Transports.Http1;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>
/// A ClientTrafficPolicy's <c>removeOnMatch</c> compiled once per apply: header names (case-insensitive) matched by
/// Exact, Prefix, Suffix or a full RegularExpression on the lower-cased name. The one definition of which lines it
/// removes, used by every header store: never a header the gateway manages itself (framing and connection headers,
/// Host, Expect, Date, Server, X-Forwarded-*, x-request-id, traceparent/tracestate, pseudo-headers), so that the
/// byte transports and Kestrel remove the same lines. No allocation per call for names up to 256 bytes.
/// </summary>
internal sealed class HeaderNameMatch
{
    private const int StackLimit = 256;
    private readonly HeaderValueMatchKind[] _kinds;
    private readonly byte[][] _values;
    private readonly Regex?[] _patterns;

    public HeaderNameMatch(IReadOnlyList<HeaderNameMatchIr> matches)
    {
        _kinds = [.. matches.Select(m => m.Kind)];
        _values = [.. matches.Select(m => Encoding.ASCII.GetBytes(m.Kind == HeaderValueMatchKind.RegularExpression ? "" : m.Value.ToLowerInvariant()))];
        _patterns = [.. matches.Select(m => m.Kind == HeaderValueMatchKind.RegularExpression ? RouteRegex.FullMatch(m.Value) : null)];
        Description = string.Join(" ", matches.Select(m => $"{m.Kind.ToString().ToLowerInvariant()}:{m.Value}"));
    }

    /// <summary>How the printed plan shows it.</summary>
    public string Description { get; }

    /// <summary>Whether the line named <paramref name="name"/> (as sent, any case) is removed.</summary>
    public bool Removes(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0) return false;
        byte[]? rented = null;
        var lower = name.Length <= StackLimit ? stackalloc byte[name.Length] : (rented = ArrayPool<byte>.Shared.Rent(name.Length)).AsSpan(0, name.Length);
        try
        {
            if (Ascii.ToLower(name, lower, out _) != OperationStatus.Done) return false;
            return !Protected(lower) && Matches(lower);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc cref="Removes(ReadOnlySpan{byte})"/>
    public bool Removes(string name)
    {
        if (name.Length is 0 or > StackLimit) return name.Length > StackLimit && Removes(Encoding.ASCII.GetBytes(name));
        Span<byte> bytes = stackalloc byte[name.Length];
        return Ascii.FromUtf16(name, bytes, out _) == OperationStatus.Done && Removes(bytes);
    }

    private static bool Protected(ReadOnlySpan<byte> lower) =>
        lower[0] == (byte)':' || Http1Syntax.IsManagedName(lower) || lower.StartsWith("x-forwarded-"u8) || lower.SequenceEqual("expect"u8)
        || lower.SequenceEqual("x-request-id"u8) || lower.SequenceEqual("traceparent"u8) || lower.SequenceEqual("tracestate"u8);

    private bool Matches(ReadOnlySpan<byte> lower)
    {
        for (var i = 0; i < _kinds.Length; i++)
        {
            var hit = _kinds[i] switch
            {
                HeaderValueMatchKind.Exact => lower.SequenceEqual(_values[i]),
                HeaderValueMatchKind.Prefix => lower.StartsWith(_values[i]),
                HeaderValueMatchKind.Suffix => lower.EndsWith(_values[i]),
                _ => RegexMatches(_patterns[i]!, lower),
            };
            if (hit) return true;
        }
        return false;
    }

    private static bool RegexMatches(Regex regex, ReadOnlySpan<byte> lower)
    {
        var chars = lower.Length <= StackLimit ? stackalloc char[lower.Length] : new char[lower.Length];
        Ascii.ToUtf16(lower, chars, out _);
        return regex.IsMatch(chars);
    }
}

using System.Globalization;
using System.Text.Json;

namespace Causeway.Translation;

/// <summary>Kubernetes resource quantities as byte counts ("10Mi", "5M", "1Gi", "512", "1.5Ki").</summary>
internal static class Quantities
{
    private static readonly (string Suffix, double Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
    ];

    /// <summary>The byte count of an int-or-string quantity; null when it is neither a number nor a quantity.</summary>
    public static long? Bytes(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.TryGetInt64(out var n) && n >= 0 ? n : null;
        return value.ValueKind == JsonValueKind.String ? Bytes(value.GetString()) : null;
    }

    public static long? Bytes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        var factor = 1.0;
        foreach (var (suffix, f) in Suffixes)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            factor = f;
            text = text[..^suffix.Length];
            break;
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return null;
        var bytes = number * factor;
        return bytes is < 0 or > long.MaxValue ? null : (long)Math.Ceiling(bytes);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Causeway.Translation;

/// <summary>Gateway API durations (a subset of Go's: <c>1h</c>, <c>10m</c>, <c>30s</c>, <c>500ms</c>, combined).</summary>
internal static partial class Durations
{
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var total = TimeSpan.Zero;
        var matches = Part().Matches(text);
        if (matches.Sum(m => m.Length) != text.Length || matches.Count == 0) return null;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                _ => TimeSpan.Zero,
            };
        }
        return total;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)")]
    private static partial Regex Part();
}
